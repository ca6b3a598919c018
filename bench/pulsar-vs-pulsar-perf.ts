/**
 * faultline's Pulsar driver vs Pulsar's own pulsar-perf (Maven Central artifacts), against the same local
 * standalone broker: max rate, 1 KiB messages, produce only. The two sides take turns (A B A B …, `--pairs`
 * pairs, each on its own topic), so a broker that warms up or slows down over the session weighs on both alike;
 * prints each pair, the median of faultline ÷ pulsar-perf and its spread. A side that fails is named with why, in
 * one line, and its pair left out.
 *
 *   npm run bench:pulsar [-- --seconds 20 --producers 2 --driver auto --pairs 3]
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import type { RunningCluster } from '../src/cluster/provider.js';
import { pulsarPerfClasspath } from '../src/cluster/pulsar/local-pulsar.js';
import { PulsarAdmin } from '../src/drivers/pulsar/pulsar-admin.js';
import { log, medianAndSpread, withLocalBroker } from './bench-cluster.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    producers: { type: 'string', default: '2' },
    driver: { type: 'string', default: 'auto' },
    pairs: { type: 'string', default: '3' },
  },
});
const seconds = Number(values.seconds);
const cliPath = join(import.meta.dirname, '..', 'src', 'cli.js');
let work = '';

await withLocalBroker('pulsar', async ({ cluster, work: dir, signal }) => {
  work = dir;
  const admin = new PulsarAdmin(cluster.endpoints, () => {});
  const pairs = Math.max(1, Number(values.pairs));
  const ratios: number[] = [];
  const lines: string[] = [];
  let driver = values.driver;
  for (let pair = 1; pair <= pairs && !signal.aborted; pair++) {
    const topics = { faultline: `faultline-bench-${pair}`, perf: `perf-bench-${pair}` };
    await admin.ensureTopics(
      Object.values(topics).map((name) => ({ name, partitions: 1, replicationFactor: 1, config: {} })),
    );
    const faultline = await side('faultline', () => runFaultline(cluster, topics.faultline));
    const perf = await side('pulsar-perf', () => runPulsarPerf(cluster, topics.perf));
    if (typeof faultline !== 'string') driver = faultline.driver;
    const figure = (r: { rate: number } | number | string) =>
      typeof r === 'string' ? `failed (${r})` : `${(typeof r === 'number' ? r : r.rate).toFixed(0)} msg/s`;
    let line = `pair ${pair}: faultline ${figure(faultline)}, pulsar-perf ${figure(perf)}`;
    if (typeof faultline !== 'string' && typeof perf === 'number') {
      ratios.push(faultline.rate / perf);
      line += `, ratio ${(faultline.rate / perf).toFixed(3)}`;
    }
    lines.push(line);
    log(line);
  }
  process.stdout.write(
    [
      `Pulsar ${cluster.version} standalone, 1 topic per side and pair, 1 KiB, max rate, ${seconds} s, produce only`,
      `faultline: ${driver} driver, ${values.producers} producers; pulsar-perf: Java client; sides interleaved`,
      ...lines,
      `ratio faultline ÷ pulsar-perf: ${medianAndSpread(ratios, 3, pairs, 'pairs')}`,
      '',
    ].join('\n'),
  );
});

/** Runs one side; a failure becomes its reason in one line (the first line that says what went wrong). */
async function side<T>(name: string, run: () => Promise<T>): Promise<T | string> {
  try {
    return await run();
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const reason =
      /(OutOfMemoryError[^\n]*|Exception[^\n]*|Error: [^\n]*)/.exec(text)?.[1] ?? text.split('\n')[0] ?? text;
    log(`${name} failed: ${reason}`);
    return reason.slice(0, 200);
  }
}

async function runFaultline(target: RunningCluster, topic: string): Promise<{ rate: number; driver: string }> {
  const scenario = join(work, `${topic}.yaml`);
  writeFileSync(
    scenario,
    `name: bench-max-rate
clusters: [{name: bench, system: pulsar, provider: external, bootstrap: "${target.endpoints.bootstrap}", webServiceUrl: "${target.endpoints.webServiceUrl}", driver: ${values.driver}}]
topics: [{name: ${topic}, partitions: 1}]
workload: {warmup: 5s, duration: ${seconds}s, messageSize: 1KiB, rate: max, producers: ${values.producers}, consumers: 0}
`,
  );
  log('running faultline at max rate');
  const out = join(work, `${topic}-result`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, 'run', scenario, '--out', out, '--quiet'], { stdio: 'inherit' });
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`faultline exited ${code}`))));
  });
  const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as {
    throughput: { produced: { messagesPerSec: number } };
    driver: { name: string };
  };
  return { rate: result.throughput.produced.messagesPerSec, driver: result.driver.name };
}

async function runPulsarPerf(target: RunningCluster, topic: string): Promise<number> {
  const classpath = await pulsarPerfClasspath(log);
  const conf = join(work, 'perf-client.conf');
  writeFileSync(conf, '');
  log(`running pulsar-perf for ${seconds + 5} s (5 s of it warm-up)`);
  const { stdout } = await promisify(execFile)(
    'java',
    [
      // 512 MiB ran out of heap in pulsar-perf's own histograms at max rate.
      '-Xmx1g',
      '-cp',
      classpath.spec,
      'org.apache.pulsar.testclient.PulsarPerfTestTool',
      conf,
      'produce',
      '-u',
      target.endpoints.bootstrap,
      '-au',
      target.endpoints.webServiceUrl!,
      '-r',
      '10000000',
      '-s',
      '1024',
      '-time',
      String(seconds + 5),
      '--warmup-time',
      '5',
      `persistent://public/default/${topic}`,
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  writeFileSync(join(work, `${topic}.out`), stdout);
  const summary = /Aggregated throughput stats --- (\d+) records sent --- ([\d.,]+) msg\/s/.exec(stdout);
  if (!summary) throw new Error(`unexpected pulsar-perf output:\n${stdout.split('\n').slice(-20).join('\n')}`);
  return Number(summary[2]!.replace(/,/g, ''));
}
