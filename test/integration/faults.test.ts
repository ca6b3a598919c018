/**
 * Faults against real brokers through a real Toxiproxy: truth checks of the network layer and of the failover
 * figures, and the leader-kill safety scenario. After every test, no broker, proxy or paused process is left.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import {
  collect,
  expectNoProcessLeftAfterEach,
  readResult,
  runCli,
  startCli,
  tempDir,
  writeScenario,
} from '../helpers.js';

expectNoProcessLeftAfterEach();

async function publishP50WithLatency(latency: string): Promise<number> {
  const out = tempDir();
  const file = writeScenario(`name: latency-truth
clusters: [{name: main, system: kafka}]
topics: [{name: t, partitions: 1}]
workload: {warmup: 3s, duration: 5s, rate: 50/s, producers: 1, consumers: 1, producer: {acks: all}}
faults:
  - {at: 3s, action: latency, target: broker-1, links: clients, stream: upstream, latency: ${latency}, duration: 5s}
`);
  const run = await runCli(['run', file, '--out', out]);
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const result = readResult(out);
  assert.equal(result.faults.length, 1);
  assert.ok(
    result.faults[0].injectedAt <= 3200,
    `latency in force from the start of the measurement (${result.faults[0].injectedAt} ms)`,
  );
  return result.latency.publish.p50;
}

test('a 50 ms latency toxic on the producer link raises publish p50 by 50 ms ± 5 ms', async () => {
  const baseline = await publishP50WithLatency('0ms');
  const delayed = await publishP50WithLatency('50ms');
  const added = delayed - baseline;
  assert.ok(Math.abs(added - 50) <= 5, `p50 ${baseline} ms → ${delayed} ms: +${added.toFixed(2)} ms`);
});

/**
 * Each message's ack time is its own: with 300 ms on the client link of partition 0's leader only (three
 * brokers, RF=1, so each leads one of three partitions), the messages of the other two partitions, sent in the
 * same batches, must not wait for partition 0's acks. (When each batch's ack was the slowest partition's, p50
 * was 340 ms here; what remains above a few ms is waiting for a free send slot while slow batches hold them.)
 */
test('a slow partition does not hold back the latency of the others sent beside it', async () => {
  const out = tempDir();
  const file = writeScenario(`name: slow-partition
clusters: [{name: trio, system: kafka, brokers: 3, heap: 512MiB}]
topics: [{name: t, partitions: 3, replicationFactor: 1}]
workload: {warmup: 3s, duration: 6s, rate: 150/s, producers: 1, consumers: 1, producer: {acks: all}}
faults:
  - {at: 3s, action: latency, target: "leader(t, 0)", links: clients, stream: upstream, latency: 300ms, duration: 6s}
`);
  const run = await runCli(['run', file, '--out', out], { timeoutMs: 300_000 });
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const r = readResult(out);
  const { p50, p90 } = r.latency.publish;
  assert.ok(p50 < 200, `publish p50 ${p50} ms: two partitions of three answer fast`);
  assert.ok(p90 >= 300, `publish p90 ${p90} ms: the slow partition's third is slow`);
  assert.equal(r.messages.lost, 0);
  assert.equal(r.messages.acked, r.messages.sent);
});

/**
 * Three brokers (RF=3, minISR=2, acks=all, fast fencing) and one broker isolated for 12 s; producing goes on 3 s
 * after the heal.
 */
function isolateScenario(o: {
  name: string;
  partitions: number;
  duration: string;
  at: string;
  target: string;
  criterion: string;
}): string {
  return `name: ${o.name}
clusters:
  - {name: trio, system: kafka, brokers: 3, heap: 512MiB, config: {broker.session.timeout.ms: 3000, broker.heartbeat.interval.ms: 500}}
topics:
  - {name: t, partitions: ${o.partitions}, replicationFactor: 3, config: {min.insync.replicas: 2}}
workload: {warmup: 3s, duration: ${o.duration}, drainTimeout: 60s, rate: 200/s, producers: 1, consumers: 1, producer: {acks: all, requestTimeout: 5s, retries: 10}, consumer: {sessionTimeout: 10s}}
faults:
  - {at: ${o.at}, action: isolate, target: ${o.target}, duration: 12s}
criteria:
  - ${o.criterion}
`;
}

test('isolating a partition leader moves leadership; producing resumes; failover is measured; an impossible failover criterion exits 1', async () => {
  const out = tempDir();
  const file = writeScenario(
    isolateScenario({
      name: 'isolate-leader',
      partitions: 1,
      duration: '17s',
      at: '5s',
      target: '"leader(t, 0)"',
      criterion: 'failover.max < 1ms',
    }),
  );
  const run = await runCli(['run', file, '--out', out], { timeoutMs: 300_000 });
  assert.equal(run.code, 1, run.stderr + run.stdout);
  const r = readResult(out);
  const [fault] = r.faults;
  assert.match(fault.resolvedTarget, /^broker-[123]$/);
  assert.notEqual(
    `broker-${fault.leaderBeforeHeal}`,
    fault.resolvedTarget,
    'leadership moved away from the isolated broker',
  );
  assert.ok(
    fault.recovery.firstAckMs > 0 && fault.recovery.firstAckMs < 20_000,
    `failover ${fault.recovery.firstAckMs} ms`,
  );
  assert.equal(r.failover.max, fault.recovery.firstAckMs);
  const during = r.timeline.filter(
    (p: { t: number }) => p.t * 1000 > fault.injectedAt + fault.recovery.firstAckMs && p.t * 1000 < fault.healedAt,
  );
  assert.ok(
    during.some((p: { produced: number }) => p.produced > 0),
    'producing resumed while the old leader was still isolated',
  );
  assert.ok(
    r.timeline.some((p: { faults?: string[] }) => p.faults?.includes(fault.id)),
    'fault window marked in the timeline',
  );
  assert.deepEqual(
    r.criteria.map((c: { passed: boolean }) => c.passed),
    [false],
  );
});

test('isolating the active controller makes the quorum elect another; producing goes on; nothing acked is lost', async () => {
  const out = tempDir();
  const file = writeScenario(
    isolateScenario({
      name: 'isolate-controller',
      partitions: 3,
      duration: '18s',
      at: '6s',
      target: 'controller',
      criterion: 'messages.lost == 0',
    }),
  );
  const run = await runCli(['run', file, '--out', out], { timeoutMs: 300_000 });
  const r = readResult(out);
  assert.equal(run.code, 0, `${run.stderr}${run.stdout}\n${JSON.stringify(r.faults)}`);
  const [fault] = r.faults;
  assert.match(fault.resolvedTarget, /^broker-[123]$/);
  assert.ok(fault.controllerBeforeHeal !== null, 'the active controller was known before the heal');
  assert.notEqual(
    `broker-${fault.controllerBeforeHeal}`,
    fault.resolvedTarget,
    'quorum leadership moved away from the isolated controller',
  );
  assert.ok(
    fault.recovery.firstAckMs !== null && fault.recovery.firstAckMs < 12_000,
    `failover ${fault.recovery.firstAckMs} ms`,
  );
  assert.equal(r.messages.lost, 0);
});

/**
 * The shipped scenario with its schedule compressed (--set): the same cluster, topic, producer and criteria, three
 * leader kills each restarted 6 s later (past the 4 s fencing, so leadership moves every time) and 12 s for the
 * restarted broker to rejoin the ISR before the next kill; producing goes on 16 s after the last kill (the
 * failover criterion's 15 s). The shipped 80 s with kills 25 s apart take 23 s more and check nothing else.
 */
const COMPRESSED_LEADER_KILLS = [
  'workload.duration=57s',
  ...[10, 28, 46].flatMap((at, i) => [`faults[${i}].at=${at}s`, `faults[${i}].duration=6s`]),
].flatMap((set) => ['--set', set]);

test('leader kill ×3 with restarts on RF=3, minISR=2, acks=all loses nothing (scenarios/chaos-leader-kill.yaml, its schedule compressed)', async () => {
  const out = tempDir();
  const run = await runCli(['run', 'scenarios/chaos-leader-kill.yaml', ...COMPRESSED_LEADER_KILLS, '--out', out], {
    timeoutMs: 420_000,
  });
  const r = readResult(out);
  assert.equal(run.code, 0, `${run.stdout}\n${JSON.stringify(r.faults)}`);
  assert.equal(r.messages.lost, 0);
  assert.equal(r.faults.length, 3);
  for (const fault of r.faults) {
    assert.ok(fault.injectedAt !== null && fault.healedAt !== null, `${fault.id} was injected and healed`);
    assert.ok(fault.recovery.firstAckMs !== null, `${fault.id} recovered`);
  }
  assert.deepEqual(
    r.criteria.map((c: { expression: string; passed: boolean }) => [c.expression, c.passed]),
    [
      ['messages.lost == 0', true],
      ['failover.max < 15s', true],
    ],
    "the shipped scenario's criteria were judged",
  );
});

/** The Toxiproxy API port of the run whose CLI process is `owner`, from its command line (-port N … faultline.owner=PID). */
function toxiproxyPortOf(owner: number): number | undefined {
  const listing = execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' });
  const line = listing
    .split('\n')
    .find((l) => l.includes(`faultline.owner=${owner}`) && / -port \d+/.test(l) && !l.includes('java'));
  return line ? Number(/ -port (\d+)/.exec(line)![1]) : undefined;
}

test('back-to-back isolates of one broker: the second holds broker-1 cut after the first heals (Toxiproxy watched)', async () => {
  const out = tempDir();
  const file = writeScenario(`name: back-to-back-isolates
clusters: [{name: trio, system: kafka, brokers: 3, heap: 512MiB}]
topics: [{name: t, partitions: 3, replicationFactor: 1}]
workload: {warmup: 2s, duration: 9s, rate: 50/s, producers: 1, consumers: 1}
faults:
  - {at: 3s, action: isolate, target: broker-1, duration: 3s}
  - {at: 6s, action: isolate, target: broker-1, duration: 3s}
`);
  const child = startCli(['run', file, '--out', out]);
  const finished = collect(child, 300_000);
  let done = false;
  void finished.finally(() => (done = true));
  // The client proxy of broker-1, watched every 100 ms: open (true) or cut (false).
  const seen: boolean[] = [];
  const cutAt: number[] = [];
  while (!done) {
    const port = toxiproxyPortOf(child.pid!);
    const proxy = port
      ? await fetch(`http://127.0.0.1:${port}/proxies/client-clients-to-1`).then(
          (r) => (r.ok ? r.json() : undefined),
          () => undefined,
        )
      : undefined;
    if (proxy) seen.push((proxy as { enabled: boolean }).enabled);
    if (proxy && !(proxy as { enabled: boolean }).enabled) cutAt.push(performance.now());
    await delay(100);
  }
  const run = await finished;
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const [f1, f2] = readResult(out).faults;
  assert.ok(
    f1.injectedAt - 3000 < 300 && f2.injectedAt - 6000 < 300,
    `injected on time: ${f1.injectedAt}, ${f2.injectedAt} ms`,
  );
  assert.ok(
    f1.healedAt >= 6000 && f1.healedAt - 6000 < 300 && f2.healedAt >= 9000 && f2.healedAt - 9000 < 300,
    `healed on time: ${f1.healedAt}, ${f2.healedAt} ms`,
  );
  const changes = seen.filter((open, i) => i === 0 || open !== seen[i - 1]);
  assert.deepEqual(changes, [true, false, true], 'cut once, for both faults, and opened once');
  const cutMs = cutAt.at(-1)! - cutAt[0]!;
  assert.ok(cutMs >= 5_500, `broker-1 seen cut for ${Math.round(cutMs)} ms without a break (both faults: 6 s)`);
});
