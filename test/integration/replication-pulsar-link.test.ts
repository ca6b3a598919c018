/**
 * Pulsar geo-replication between two standalones, across a region link, on real brokers: every acknowledged
 * message reaches the peer once, and the source's replicator dials the peer through the link's proxy (per-region
 * advertised listeners), so every replicated message pays the link's latency. One run, two tests: each checks its
 * own figures of it (the replication books; the lag against the link), neither depends on the other's.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  type CliResult,
  expectNoProcessLeftAfterEach,
  readResult,
  runCli,
  tempDir,
  writeScenario,
} from '../helpers.js';

expectNoProcessLeftAfterEach();

// driver: binary — the lag counts from the source broker's append time of each entry (its broker entry metadata),
// read by a reader on the source: the replicator drops it, and the binary producer's publishTime is its own clock.
// The WebSocket driver's lag (its publishTime, set inside the source broker) is checked in replication-lag.test.ts
// and failover.test.ts.
const yaml = `name: it-pulsar-geo-link
regions: [ra, rb]
links:
  - {between: [ra, rb], latency: 80ms}
clusters:
  - {name: pa, system: pulsar, provider: local, driver: binary, heap: 512MiB, region: ra}
  - {name: pb, system: pulsar, provider: local, driver: binary, heap: 512MiB, region: rb}
topics:
  - {name: t, cluster: pa, partitions: 2}
replication:
  - {from: pa, to: pb, topics: [t]}
workload:
  warmup: 2s
  duration: 10s
  messageSize: 256B
  rate: 50/s
  producers: 1
  consumers: 1
  drainTimeout: 30s
criteria:
  - replication.notReplicated == 0
`;

let shared: Promise<{ out: string; run: CliResult }> | undefined;
function linkedRun(): Promise<{ out: string; run: CliResult }> {
  shared ??= (async () => {
    const out = tempDir();
    const run = await runCli(['run', writeScenario(yaml), '--out', out], { timeoutMs: 300_000 });
    return { out, run };
  })();
  return shared;
}

test('Pulsar geo-replication between two standalones: every acknowledged message reaches the peer once', async () => {
  const { out, run } = await linkedRun();
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const r = readResult(out);
  const rep = r.replication;
  assert.equal(rep.replicated, r.messages.acked);
  assert.equal(rep.notReplicated, 0);
  assert.equal(rep.duplicated, 0);
  assert.deepEqual(
    r.criteria.map((c: { passed: boolean }) => c.passed),
    [true],
  );
  assert.ok(rep.lag.p50 > 0 && rep.lag.p50 <= rep.lag.p99, JSON.stringify(rep.lag));
  console.log(
    `Pulsar geo-replication lag p50 ${rep.lag.p50} ms, p99 ${rep.lag.p99} ms; set → first record ${rep.flows[0].firstRecordMs} ms`,
  );
});

test('truth: an 80 ms one-way link between two Pulsar clusters puts geo-replication lag p50 at or above 80 ms', async () => {
  const { out, run } = await linkedRun();
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const r = readResult(out);
  const rep = r.replication;
  assert.equal(r.messages.consumed, r.messages.acked, 'the clients on the source still work');
  assert.equal(rep.lagUnmeasured, 0, "every replicated message's append time was read on the source");
  assert.equal(rep.replicated, r.messages.acked, 'every acknowledged message reached the peer');
  assert.equal(rep.duplicated, 0);
  assert.ok(rep.lag.p50 >= 80, `replication lag p50 ${rep.lag.p50} ms: the replicator's bytes cross the 80 ms link`);
  // Each side registered its peer by the peer's path from its own region, under that region's listener.
  const client = readFileSync(join(out, 'logs', 'client.log'), 'utf8');
  assert.match(
    client,
    /PUT clusters\/pb \{"serviceUrl":"[^"]+","brokerServiceUrl":"pulsar:\/\/127\.0\.0\.1:\d+","listenerName":"region_ra"\} → HTTP 200/,
  );
  console.log(
    `Pulsar geo-replication across an 80 ms link: lag p50 ${rep.lag.p50} ms, p90 ${rep.lag.p90} ms, p99 ${rep.lag.p99} ms, max ${rep.lag.max} ms`,
  );
});
