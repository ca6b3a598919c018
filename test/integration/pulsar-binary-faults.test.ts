/**
 * Network faults on the binary Pulsar driver's messages, on a real standalone and a real Toxiproxy, in a scenario
 * without regions: the broker advertises its binary proxy (local-pulsar.ts), so lookups answer with the proxy and
 * every byte the driver sends or receives crosses it. A 100 ms latency on the client links raises publish latency
 * while it holds, and only then; cutting the client links stops acknowledgements until the heal, after which they
 * resume, with nothing lost.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectNoProcessLeftAfterEach, readResult, runCli, tempDir, writeScenario } from '../helpers.js';

expectNoProcessLeftAfterEach();

interface Point {
  t: number;
  seconds?: number;
  phase: string;
  produced: number;
  publishP50?: number | null;
}

test('binary driver without regions: a latency fault raises publish latency while it holds; cut client links stop acks, then they resume, 0 lost', async (t) => {
  const out = tempDir();
  const file = writeScenario(`name: pulsar-binary-faults
clusters:
  - {name: pulsar, system: pulsar, provider: local, driver: binary, heap: 512MiB, consumer: {subscriptionType: Failover}}
topics:
  - {name: t, partitions: 1}
workload: {warmup: 2s, duration: 14s, rate: 200/s, producers: 1, consumers: 1, drainTimeout: 20s}
faults:
  - {at: 4s, action: latency, links: clients, stream: upstream, latency: 100ms, duration: 4s}
  - {at: 10s, action: cut-clients, duration: 3s}
criteria: [messages.lost == 0]
`);
  const run = await runCli(['run', file, '--out', out], { timeoutMs: 180_000 });
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const r = readResult(out);
  assert.deepEqual(r.driver, { name: 'binary', requested: 'binary' });
  const [latency, cut] = r.faults;
  for (const fault of [latency, cut]) assert.ok(fault.injectedAt !== null && fault.healedAt !== null, fault.id);

  // Whole seconds of the timeline before the latency, inside it, inside the cut and after the cut's heal.
  const timeline = r.timeline as Point[];
  const within = (fromMs: number, toMs: number) =>
    timeline.filter((p) => p.t * 1000 >= fromMs && (p.t + (p.seconds ?? 1)) * 1000 <= toMs);
  const p50s = (points: Point[]) => points.map((p) => p.publishP50 ?? Number.NaN);
  const before = within(0, latency.injectedAt).filter((p) => p.produced > 0);
  const slowed = within(latency.injectedAt + 300, latency.healedAt);
  assert.ok(before.length >= 2 && slowed.length >= 2, `${before.length} seconds before, ${slowed.length} slowed`);
  assert.ok(
    p50s(before).every((p50) => p50 < 50),
    `publish p50 before the latency fault: ${p50s(before).join(', ')} ms`,
  );
  assert.ok(
    p50s(slowed).every((p50) => p50 >= 100 && p50 < 250),
    `publish p50 while 100 ms are added to each request: ${p50s(slowed).join(', ')} ms`,
  );

  const cutSeconds = within(cut.injectedAt + 100, cut.healedAt);
  assert.ok(cutSeconds.length >= 2, `${cutSeconds.length} whole seconds inside the cut`);
  assert.deepEqual(
    cutSeconds.map((p) => p.produced),
    cutSeconds.map(() => 0),
    'no acknowledgement while the client links are cut',
  );
  const cutMs = cut.healedAt - cut.injectedAt;
  assert.ok(
    cut.recovery.firstAckMs !== null && cut.recovery.firstAckMs >= cutMs,
    `first ack of a message sent after the cut came ${cut.recovery.firstAckMs} ms after it, the cut lasted ${cutMs} ms`,
  );
  assert.ok(cut.recovery.consumerResumedMs !== null, 'consuming resumed after the heal');
  const after = within(cut.healedAt + 6000, Number.POSITIVE_INFINITY).filter((p) => p.phase === 'measure');
  assert.ok(
    after.length === 0 || after.every((p) => p.produced > 0),
    `acks resumed: ${after.map((p) => p.produced).join(', ')}`,
  );

  t.diagnostic(
    `publish p50 before ${p50s(before).join(', ')} ms, under latency ${p50s(slowed).join(', ')} ms; acks in the cut ${cutSeconds.map((p) => p.produced).join(', ')}; first ack ${cut.recovery.firstAckMs} ms after a ${cutMs} ms cut; sent ${r.messages.sent}, acked ${r.messages.acked}, consumed ${r.messages.consumed}, duplicated ${r.messages.duplicated}, lost ${r.messages.lost}`,
  );
  assert.equal(r.messages.lost, 0);
  assert.equal(r.messages.acked + r.messages.failed, r.messages.sent, 'every message acknowledged or failed');
  assert.ok(r.messages.consumed >= r.messages.acked, 'every acknowledged message consumed');
});
