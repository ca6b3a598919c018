/**
 * Region failover on real brokers: two clusters in two regions joined by replication, the source region goes down,
 * and the workload's producers and consumers move to the replica — Kafka `after` a fixed 2 s from the outage's
 * injection, Pulsar when its producers have had no acknowledgement for 2 s (detection measured). RTO is measured
 * from the outage; consumers resume where the replicator's synced state puts them. On both, every send waiting
 * at the move is sent again to the replica (none given up).
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

/**
 * Source a in region ra, replica b in rb, 20 ms apart; 100 msg/s; ra killed at 10 s for 6 s; clients move 2 s in.
 * Keyed round-robin, so that every partition takes writes before and after the move (an unkeyed Pulsar WebSocket
 * producer sticks to one partition, and the replica's producer may pick another).
 */
function failoverScenario(system: 'kafka' | 'pulsar', move: string): string {
  const cluster =
    system === 'kafka'
      ? 'system: kafka, provider: local, brokers: 1, heap: 384MiB'
      : 'system: pulsar, provider: local, heap: 512MiB';
  return `name: it-failover-${system}
regions: [ra, rb]
links:
  - {between: [ra, rb], latency: 20ms}
clusters:
  - {name: a, ${cluster}, region: ra}
  - {name: b, ${cluster}, region: rb}
topics:
  - {name: t, cluster: a, partitions: 2}
replication:
  - {from: a, to: b, topics: [t]}
workload:
  warmup: 2s
  duration: 20s
  messageSize: 256B
  rate: 100/s
  consumers: 1
  keyDistribution: roundRobin
  drainTimeout: 30s
  placement: {producers: [ra], consumers: [ra]}
faults:
  - {at: 10s, action: region-outage, region: ra, mode: kill, duration: 6s}
failover: {to: b, ${move}}
criteria:
  - rto.produce < 30s
  - rto.consume < 60s
  - messages.lost == 0
`;
}

/** Runs the failover scenario and checks what holds for either system; returns result.json. */
async function failOver(system: 'kafka' | 'pulsar', move: string): Promise<Record<string, any>> {
  const out = tempDir();
  const run = await runCli(['run', writeScenario(failoverScenario(system, move)), '--out', out], {
    timeoutMs: 400_000,
  });
  const r = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const { rto, messages, replication: rep } = r;
  assert.equal(rto.fault, r.faults[0].id);
  assert.equal(rto.flag, null);
  // Timed from the outage's actual injection, which is what the RTO counts from.
  assert.equal(rto.outageAtMs, r.faults[0].injectedAt);
  assert.ok(
    Math.abs(rto.switchedAtMs - rto.triggeredAtMs) < 50,
    `moved ${rto.switchedAtMs}, triggered ${rto.triggeredAtMs}`,
  );
  assert.equal(rto.detectedMs, rto.triggeredAtMs - rto.outageAtMs);
  // Nothing could be acknowledged by (or consumed from) the replica before the clients moved to it.
  assert.ok(rto.produce >= rto.detectedMs && rto.produce < rto.detectedMs + 5000, `RTO produce ${rto.produce} ms`);
  assert.ok(rto.consume >= rto.detectedMs && rto.consume < 30_000, `RTO consume ${rto.consume} ms`);
  assert.deepEqual([rto.groupsReady, rto.groups], [1, 1]);
  // Resumed from the replicator's synced position, not from the beginning of the replica topic.
  assert.ok(rto.consumedBeforeMove > 500, `${rto.consumedBeforeMove} consumed before the move`);
  assert.ok(
    rto.consumedAgain < rto.consumedBeforeMove / 2,
    `${rto.consumedAgain} consumed again of ${rto.consumedBeforeMove}`,
  );
  // One rule for both systems: every send waiting on the dead source at the move was sent again to the replica,
  // none given up; what lands twice is a duplicate in the books, not a new message.
  assert.equal(r.errors.byKind['produce:FailoverAbandoned'], undefined);
  assert.equal(rto.abandoned, 0);
  assert.ok(rto.resent >= 0);
  assert.equal(messages.failed, 0, `failed ${messages.failed}: ${JSON.stringify(r.errors.byKind)}`);
  assert.equal(messages.acked, messages.sent);
  assert.equal(messages.lost, 0);
  // Every acknowledged message, on the source or on the replica, was consumed; a send whose outcome was unknown
  // (given up at the move, or cut by the kill) may have landed all the same, and is counted apart.
  assert.equal(messages.consumed - messages.consumedUnacked, messages.acked, JSON.stringify(messages));
  assert.equal(r.faults[0].recovery.state.firstAck, 'recovered', 'every partition took writes again, on the replica');
  // Messages written straight to the replica after the move are not replication's: no "seen unacked" from them.
  assert.equal(rep.seenUnacked, 0);
  assert.equal(rep.notReplicated, 0, 'the source came back and the replicator carried the rest');
  assert.equal(r.rpo.fault, rto.fault);
  assert.equal(r.rpo.messages, r.rpo.inFlight + r.rpo.late + r.rpo.lost);
  assert.match(
    readFileSync(join(out, 'report.md'), 'utf8'),
    /Failover a → b, moved .*\*\*RTO produce \d+ ms\*\*, \*\*RTO consume \d+ ms\*\*/,
  );
  console.log(
    `${system} failover a → b: RTO produce ${rto.produce} ms, consume ${rto.consume} ms; consumed again ${rto.consumedAgain} of ${rto.consumedBeforeMove}; ` +
      `detection ${rto.detection.rule} → moved ${rto.detectedMs} ms after the outage; resent ${rto.resent}, retried on the source ${rto.retriedOnSource}, duplicated ${messages.duplicated}, failed ${messages.failed}; RPO ${r.rpo.messages} (late ${r.rpo.late}, lost ${r.rpo.lost}), oldest ${r.rpo.ms} ms; replication duplicated ${rep.duplicated}`,
  );
  return { ...r, out };
}

test('Kafka: clients fail over to the MirrorMaker 2 replica 2 s after the outage was injected; consumers resume from translated offsets', async () => {
  const r = await failOver('kafka', 'after: 2s');
  assert.deepEqual(r.rto.detection, { rule: 'after', ms: 2000 });
  assert.ok(Math.abs(r.rto.detectedMs - 2000) < 100, `clients moved ${r.rto.detectedMs} ms after the outage`);
});

test('Pulsar: clients fail over when no send was acknowledged for 2 s (detection measured); the subscription resumes from its replicated state', async () => {
  const r = await failOver('pulsar', 'trigger: {noAckFor: 2s}');
  assert.deepEqual(r.rto.detection, { rule: 'noAckFor', ms: 2000 });
  // The silence starts at the last ack before the kill: detection is the bound, give or take the ack spacing.
  assert.ok(r.rto.detectedMs >= 1900 && r.rto.detectedMs < 4000, `detected ${r.rto.detectedMs} ms after the outage`);
  // The WebSocket producer held its sends while reconnecting: they were sent again to the replica.
  assert.ok(r.rto.resent > 0, `resent ${r.rto.resent}`);
  assert.match(readFileSync(join(r.out, 'logs', 'client.log'), 'utf8'), /replicatedSubscriptionStatus → HTTP 204/);
});
