/**
 * Pulsar geo-replication across a region link, on real brokers: the source's replicator dials the peer through
 * the link's proxy (per-region advertised listeners), so every replicated message pays the link's latency.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { expectNoProcessLeftAfterEach, readResult, runCli, tempDir, writeScenario } from '../helpers.js';

expectNoProcessLeftAfterEach();

test('truth: an 80 ms one-way link between two Pulsar clusters puts geo-replication lag p50 at or above 80 ms', async () => {
  const out = tempDir();
  // driver: websocket — the lag counts from the source broker's append, which only the WebSocket driver's
  // publishTime gives (set by the WebSocket service inside the broker; the binary driver's is the producer's).
  const yaml = `name: it-pulsar-geo-link
regions: [ra, rb]
links:
  - {between: [ra, rb], latency: 80ms}
clusters:
  - {name: pa, system: pulsar, provider: local, driver: websocket, heap: 512MiB, region: ra}
  - {name: pb, system: pulsar, provider: local, driver: websocket, heap: 512MiB, region: rb}
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
`;
  const run = await runCli(['run', writeScenario(yaml), '--out', out], { timeoutMs: 300_000 });
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const r = readResult(out);
  const rep = r.replication;
  assert.equal(r.messages.consumed, r.messages.acked, 'the WebSocket clients on the source still work');
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
