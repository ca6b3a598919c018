/**
 * Truth checks on a real broker. Coordinated omission: freezing the broker (SIGSTOP) for 2 s must appear in the
 * corrected publish latency (measured from the intended send time), although a closed-loop view hides most of it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { collect, faultlineProcesses, kafkaScenario, startCli, tempDir, waitFor, writeScenario } from '../helpers.js';

afterEach(async () => {
  await waitFor(() => faultlineProcesses().length === 0, 20_000, 'no faultline process left');
});

function brokerPid(): number {
  const listing = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  const line = listing.split('\n').find((l) => l.includes('-Dfaultline.run=') && l.includes('kafka.Kafka'));
  assert.ok(line, 'broker process found');
  return Number(line.trim().split(/\s+/)[0]);
}

test('a 2 s broker pause shows as a corrected publish p99 of at least 1 s', async () => {
  const out = tempDir();
  const file = writeScenario(kafkaScenario({ warmup: '2s', duration: '12s', rate: '500/s' }));
  const child = startCli(['run', file, '--out', out]);
  let paused: Promise<void> | undefined;
  const run = await collect(child, 180_000, (stderr) => {
    if (!paused && /\[(?:\S+ )?measure \d+s/.test(stderr)) {
      const pid = brokerPid();
      paused = (async () => {
        await new Promise((r) => setTimeout(r, 2000));
        process.kill(pid, 'SIGSTOP');
        await new Promise((r) => setTimeout(r, 2000));
        process.kill(pid, 'SIGCONT');
      })();
    }
  });
  await paused;
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  const { publish, publishUncorrected } = result.latency;
  assert.ok(publish.p99 >= 1000, `corrected publish p99 ${publish.p99} ms`);
  assert.ok(publish.max >= 1800 && publish.max < 4000, `corrected publish max ${publish.max} ms`);
  assert.ok(
    publishUncorrected.p99 < publish.p99,
    `uncorrected p99 ${publishUncorrected.p99} ms is below corrected ${publish.p99} ms`,
  );
  assert.equal(result.messages.lost, 0);
  const stalled = result.timeline.filter(
    (p: { phase: string; produced: number }) => p.phase === 'measure' && p.produced < 100,
  );
  assert.ok(stalled.length >= 1, 'the stall is visible in the per-second timeline');
});

/**
 * The books, shown on a real broker: records deleted behind the harness's back (admin delete-records) before the
 * consumers fetched them are counted lost, exactly. The consumers are held back by their own fetch settings
 * (minBytes larger than the run writes, maxWaitTime 15 s), so the deletion lands before their first fetch.
 * The drain always runs to its bound (the deleted records never come): the consumers had the rest 30 s into the
 * run here (two of those 15 s waits); producing ends at 8 s, so a 32 s drain ends 10 s after that (it was 45 s).
 */
test('records deleted behind the harness are counted lost, exactly', async () => {
  const out = tempDir();
  const file = writeScenario(`name: deleted-records
clusters: [{name: main, system: kafka}]
topics: [{name: t, partitions: 2}]
workload: {warmup: 0s, duration: 8s, drainTimeout: 32s, rate: 100/s, producers: 1, consumers: 1,
           consumer: {minBytes: 10000000, maxWaitTime: 15s}}
`);
  const child = startCli(['run', file, '--out', out]);
  let deleted: Promise<number> | undefined;
  const run = await collect(child, 180_000, (stderr) => {
    const bootstrap = /main: (127\.0\.0\.1:\d+) ready/.exec(stderr)?.[1];
    if (!deleted && bootstrap && /\[(?:\S+ )?measure [4-9]s/.test(stderr)) {
      deleted = (async () => {
        const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
        await admin.connect();
        try {
          await admin.fetchTopicMetadata({ topics: ['t'] });
          await admin.deleteTopicRecords({ topic: 't', partitions: [{ partition: 0, offset: '-1' }] });
          const offsets = await admin.fetchTopicOffsets('t');
          return Number(offsets.find((o) => o.partition === 0)!.low);
        } finally {
          await admin.disconnect();
        }
      })();
    }
  });
  const removed = await deleted;
  assert.equal(run.code, 0, run.stderr);
  assert.ok(removed !== undefined && removed > 100, `deleted ${removed} records`);
  const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  assert.equal(result.messages.acked, 800);
  assert.equal(result.messages.lost, removed, 'every deleted record, and nothing else, is lost');
  assert.equal(result.messages.consumed, 800 - removed);
  assert.equal(result.messages.lostSample.length, 100, 'evidence: a sample of the lost messages');
});
