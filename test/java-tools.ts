/**
 * Checks made with Java tools, from the test/java sources (run by the JDK's single-file launcher): JUnit XML against
 * the common JUnit shape (test/fixtures/junit-common.xsd), and .hlog files read by HdrHistogram's own
 * HistogramLogReader (org.hdrhistogram:HdrHistogram from Maven Central, resolved like the broker jars).
 */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { ensureClasspath } from '../src/cluster/maven-artifacts.js';

const testSources = resolve(import.meta.dirname, '..', '..', 'test');
export const HDRHISTOGRAM_VERSION = '2.2.2';

/** "valid FILE" lines; throws with the validator's first complaint (line:column: message) otherwise. */
export function validateJunit(...files: string[]): string {
  try {
    return execFileSync(
      'java',
      [join(testSources, 'java', 'ValidateXml.java'), join(testSources, 'fixtures', 'junit-common.xsd'), ...files],
      { encoding: 'utf8' },
    );
  } catch (error) {
    throw new Error(`not valid JUnit XML: ${(error as { stdout?: string }).stdout ?? String(error)}`);
  }
}

export interface HlogReading {
  /** Seconds since the epoch, as the reader found them. */
  startTimeSec: number;
  intervals: Array<{ startSec: number; endSec: number; count: number; max: number; p99: number }>;
  total: { count: number; max: number; p50: number; p99: number } | null;
}

/** What HdrHistogram's HistogramLogReader reads in an interval log (values as recorded: µs). */
export async function readHlog(file: string): Promise<HlogReading> {
  const classpath = await ensureClasspath(
    `hdrhistogram-${HDRHISTOGRAM_VERSION}`,
    [{ groupId: 'org.hdrhistogram', artifactId: 'HdrHistogram', version: HDRHISTOGRAM_VERSION }],
    () => {},
  );
  const out = execFileSync('java', ['-cp', classpath.spec, join(testSources, 'java', 'ReadHlog.java'), file], {
    encoding: 'utf8',
  });
  const numbers = (line: string) => line.split(' ').slice(1).map(Number);
  const total = out.split('\n').find((line) => line.startsWith('total '));
  const [count, max, p50, p99] = total ? numbers(total) : [];
  return {
    startTimeSec: Number(out.match(/^start (\S+)$/m)?.[1]),
    intervals: out
      .split('\n')
      .filter((line) => line.startsWith('interval '))
      .map((line) => {
        const [startSec, endSec, n, m, q] = numbers(line) as [number, number, number, number, number];
        return { startSec, endSec, count: n, max: m, p99: q };
      }),
    total: total ? { count: count!, max: max!, p50: p50!, p99: p99! } : null,
  };
}
