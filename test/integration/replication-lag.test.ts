/**
 * Replication lag is the replication's, wherever the producer sits (real brokers: two 1-broker Kafka clusters,
 * MirrorMaker 2, Toxiproxy between three regions). One producer beside the source, one a region away: the ack
 * reaches the far one 60 ms later, yet both producers' messages must show the same lag, since it counts from
 * the source's append time. The per-message books (FAULTLINE_REPLICATION_BOOKS) give each producer's own lag.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { faultlineProcesses, runCli, tempDir, waitFor, writeScenario } from '../helpers.js';

afterEach(async () => {
  await waitFor(
    () => faultlineProcesses().length === 0,
    20_000,
    `no faultline process left (found: ${faultlineProcesses().join('; ')})`,
  );
});

type Entry = [number, number, number, number | null, number | null, number | null];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function lagByProducerPlace(system: 'kafka' | 'pulsar') {
  const out = tempDir();
  const books = join(out, 'books.json');
  const scenario = `name: it-replication-lag
regions: [ra, rb, rc]
links:
  - {between: [ra, rb], latency: 30ms}
  - {between: [ra, rc], latency: 60ms}
  - {between: [rb, rc], latency: 60ms}
clusters:
${
  system === 'kafka'
    ? `  - {name: a, system: kafka, provider: local, brokers: 1, heap: 384MiB, region: ra}
  - {name: b, system: kafka, provider: local, brokers: 1, heap: 384MiB, region: rb}`
    : `  - {name: a, system: pulsar, driver: websocket, provider: local, heap: 512MiB, region: ra}
  - {name: b, system: pulsar, driver: websocket, provider: local, heap: 512MiB, region: rb}`
}
topics:
  - {name: t, cluster: a, partitions: 1}
replication:
  - {from: a, to: b, topics: [t]}
workload:
  warmup: 2s
  duration: 12s
  messageSize: 256B
  rate: 100/s
  producers: 2
  consumers: 1
  drainTimeout: 30s
  placement: {producers: [ra, rc], consumers: [ra]}
${system === 'kafka' ? '  producer: {acks: all}\n' : ''}`;
  const run = await runCli(['run', writeScenario(scenario), '--out', out], {
    timeoutMs: 300_000,
    env: { FAULTLINE_REPLICATION_BOOKS: books },
  });
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const rep = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')).replication;
  assert.equal(rep.notReplicated, 0);
  assert.equal(rep.lagNegative, 0, 'no message seen on the target before the source appended it');
  assert.equal(rep.lagUnmeasured, 0, 'every replicated message carried the source append time');
  assert.ok(Math.abs(rep.lagClockStepMs) < 1, `wall clock stepped ${rep.lagClockStepMs} ms`);
  const entries = (JSON.parse(readFileSync(books, 'utf8')).flows[0].messages as Entry[]).filter(
    ([, , intended, acked, seen, appended]) =>
      intended >= 2_000 && acked !== null && seen !== null && appended !== null,
  );
  const of = (producer: number, measure: (e: Entry) => number) =>
    median(entries.filter((e) => e[0] === producer).map(measure));
  const lag = (e: Entry) => e[4]! - e[5]!;
  const fromAck = (e: Entry) => e[4]! - e[3]!;
  const [near, far] = [of(0, lag), of(1, lag)];
  const [nearAck, farAck] = [of(0, fromAck), of(1, fromAck)];
  console.log(
    `${system}: lag p50 from the source's append: producer in ra ${near.toFixed(1)} ms, in rc ${far.toFixed(1)} ms; ` +
      `seen − ack (the old measure): ${nearAck.toFixed(1)} ms, ${farAck.toFixed(1)} ms; result lag ${JSON.stringify(rep.lag)}`,
  );
  assert.ok(nearAck - farAck > 40, 'the far producer hears of its acks a region later (the old measure differs)');
  assert.ok(Math.abs(near - far) <= 5, `lag p50 ${near} ms (beside the source) vs ${far} ms (a region away)`);
  assert.ok(near >= 30, `the replicated message crosses the 30 ms link: lag ${near} ms`);
}

test('Kafka + MirrorMaker 2: the same lag for a producer beside the source and one a region away (within 5 ms)', () =>
  lagByProducerPlace('kafka'));

test('Pulsar geo-replication: the same lag for a producer beside the source and one a region away (within 5 ms)', () =>
  lagByProducerPlace('pulsar'));
