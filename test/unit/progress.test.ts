import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LoadProgress } from '../../src/load/load-run.js';
import { progressReporter } from '../../src/report/progress.js';

const at = (elapsedMs: number): LoadProgress =>
  ({
    phase: 'measure',
    elapsedMs,
    plannedMs: 20_000,
    last: undefined,
    counts: { acked: 1, failed: 0 },
    snapshot: () => {
      throw new Error('not used');
    },
  }) as unknown as LoadProgress;

function stream(isTTY: boolean) {
  const written: string[] = [];
  return { written, stream: { isTTY, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream };
}

/** Two parts run one after the other, each 12 s of load, progress once a second. */
function runTwoParts(reporter: ReturnType<typeof progressReporter>): void {
  for (const part of ['kafka-east', 'pulsar-east']) {
    reporter.info(`${part}: load started`);
    for (let ms = 1000; ms <= 12_000; ms += 1000) reporter.load(at(ms), part);
    reporter.done();
  }
}

test('CI logs (no TTY): every part of a run prints its progress lines, named after the part', () => {
  const out = stream(false);
  runTwoParts(progressReporter(out.stream));
  const lines = out.written.filter((line) => line.includes('[')).map((line) => line.split(' ').slice(1, 3).join(' '));
  assert.deepEqual(lines, [
    '[kafka-east measure',
    '[kafka-east measure',
    '[kafka-east measure',
    '[pulsar-east measure',
    '[pulsar-east measure',
    '[pulsar-east measure',
  ]);
});

test('a TTY: the line of every part is rewritten in place, and closed before the next message', () => {
  const out = stream(true);
  runTwoParts(progressReporter(out.stream));
  const text = out.written.join('');
  const rewrites = (part: string) => text.split(`\r\x1b[K[${part} measure`).length - 1;
  assert.equal(rewrites('kafka-east'), 12);
  assert.equal(rewrites('pulsar-east'), 12);
  assert.match(text, /12s\/20s\] [^\n]*\nfaultline: pulsar-east: load started\n/);
});
