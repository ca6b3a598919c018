import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCriterion } from '../../src/criteria/criterion.js';
import type { FaultRecord } from '../../src/faults/fault-injector.js';
import { Collector } from '../../src/metrics/collector.js';
import type { LedgerCounts } from '../../src/metrics/message-ledger.js';
import type { RecoveryFigures } from '../../src/metrics/recovery-tracker.js';
import type { ClusterRun, RunPlan } from '../../src/plan/plan.js';
import { buildResult, type ResultInput } from '../../src/report/build-result.js';
import { workloadSchema } from '../../src/scenario/schema.js';

const workload = workloadSchema.parse({ duration: '60s', rate: '1000/s', messageSize: 1024 });
const plan = (criteria: string[]) =>
  ({ file: 'x.yaml', scenario: { name: 'x', workload }, criteria: criteria.map(parseCriterion) }) as unknown as RunPlan;
const run = {
  cluster: { name: 'main', system: 'kafka', provider: 'local', version: '4.1.1', brokers: 3, driver: 'auto' },
  provider: {},
  driver: { name: 'kafkajs' },
  loadTopics: [{ name: 't', partitions: 3, replicationFactor: 3 }],
} as unknown as ClusterRun;

function counts(over: Partial<LedgerCounts> = {}): LedgerCounts {
  return {
    sent: 10,
    acked: 10,
    failed: 0,
    consumed: 10,
    duplicated: 0,
    redelivered: 0,
    duplicatesUnclassified: 0,
    ackedNotConsumed: 0,
    consumedUnacked: 0,
    foundByFinalRead: 0,
    reordered: 0,
    unplaced: 0,
    ...over,
  };
}

function collectedWithSamples() {
  const collector = new Collector({ warmupMs: 0, measureEndMs: 60_000, messageSize: 1024 });
  collector.onSent(1, [0]);
  collector.onAck(0, 1, 5);
  collector.onConsume(0, 7);
  return collector.snapshot(60_000);
}

function fault(id: string, recovery: RecoveryFigures): FaultRecord {
  return {
    id,
    origin: 'faults[0]',
    action: 'kill',
    target: 'broker-1',
    resolvedTarget: 'broker-1',
    at: 10_000,
    injectedAt: 10_000,
    healedAt: 20_000,
    recovery,
  };
}

const recovered = (ms: number): RecoveryFigures => ({
  firstAckMs: ms,
  throughputRecoveredMs: ms,
  consumerResumedMs: ms,
  state: { firstAck: 'recovered', throughput: 'recovered', consumer: 'recovered' },
  watchedMs: 50_000,
});

function result(over: Partial<ResultInput> & { criteria?: string[] } = {}) {
  const { criteria = [], ...rest } = over;
  return buildResult({
    plan: plan(criteria),
    run,
    cluster: undefined,
    startedAt: new Date(0),
    endedAt: new Date(60_000),
    metrics: collectedWithSamples(),
    counts: counts(),
    outcome: {
      foreign: 0,
      drained: true,
      orderChecked: true,
      consumersRan: true,
      finalReadComplete: null,
      lostSample: [],
      finalReadAvailable: true,
      acknowledgesWrites: true,
    },
    ...rest,
  });
}

test('a fault that never recovered makes the worst case unbounded: failover criteria fail and the summary warns first', () => {
  const never: RecoveryFigures = {
    firstAckMs: null,
    throughputRecoveredMs: null,
    consumerResumedMs: null,
    state: { firstAck: 'not-recovered', throughput: 'not-recovered', consumer: 'not-recovered' },
    watchedMs: 45_000,
  };
  const r = result({
    faults: [fault('f1', recovered(1007)), fault('f2', never)],
    criteria: ['failover.max < 15s', 'failover.consumerMax < 15s', 'failover.max > 1s'],
  });
  assert.equal(r.failover.max, null);
  assert.deepEqual(r.failover.notRecovered.max, ['f2']);
  assert.deepEqual(r.failover.neverRecovered, ['f2']);
  assert.equal(r.criteria[0]!.passed, false);
  assert.equal(r.criteria[0]!.actual, null);
  assert.match(r.criteria[0]!.note ?? '', /never recovered: f2/);
  assert.equal(r.criteria[1]!.passed, false);
  assert.equal(r.criteria[2]!.passed, true, 'an unbounded worst case is above any bound');
  assert.equal(r.status, 'failed');
  assert.match(r.warnings[0]!, /writes never resumed after fault f2 .*watched 45 s/);
});

test('a recovery that could not be measured is marked so and fails a criterion on it, never passes as recovered', () => {
  const unmeasured: RecoveryFigures = {
    firstAckMs: 300,
    throughputRecoveredMs: null,
    consumerResumedMs: 400,
    state: { firstAck: 'recovered', throughput: 'unmeasured', consumer: 'recovered' },
    watchedMs: 1_500,
  };
  const r = result({
    faults: [fault('f1', recovered(2000)), fault('f2', unmeasured)],
    criteria: ['failover.throughputMax < 15s', 'failover.max < 15s'],
  });
  assert.deepEqual(r.failover.unmeasured.throughputMax, ['f2']);
  assert.equal(r.failover.throughputMax, null);
  assert.equal(r.criteria[0]!.passed, false);
  assert.match(r.criteria[0]!.note ?? '', /not measurable for f2/);
  assert.equal(r.criteria[1]!.passed, true);
  assert.equal(r.failover.max, 2000);
});

test('a run that measured nothing has no latency figures (null, not 0 ms)', () => {
  const empty = new Collector({ warmupMs: 0, measureEndMs: 60_000, messageSize: 1024 }).snapshot(60_000);
  const r = result({
    metrics: empty,
    counts: counts({ sent: 0, acked: 0, consumed: 0 }),
    criteria: ['latency.publish.p99 < 10ms'],
  });
  assert.equal(r.latency.publish, null);
  assert.equal(r.latency.endToEnd, null);
  assert.equal(r.latency.sendLag, null);
  assert.equal(r.criteria[0]!.passed, false, 'nothing measured cannot pass a latency bound');
  const never = result({
    metrics: undefined,
    counts: undefined,
    outcome: undefined,
    status: 'error',
    statusReason: 'broker would not start',
  });
  assert.equal(never.throughput.produced, null);
  assert.equal(never.latency.publish, null);
});

test('acks=0: nothing is acknowledged, so nothing is lost; what never arrived is "not delivered"', () => {
  const r = result({
    counts: counts({ sent: 1000, acked: 1000, consumed: 499, ackedNotConsumed: 501 }),
    outcome: {
      foreign: 0,
      drained: false,
      orderChecked: true,
      consumersRan: true,
      finalReadComplete: true,
      lostSample: [],
      finalReadAvailable: true,
      acknowledgesWrites: false,
    },
    faults: [fault('f1', recovered(500))],
    criteria: ['messages.lost == 0', 'messages.notDelivered == 501'],
  });
  assert.equal(r.messages.acked, null);
  assert.equal(r.messages.lost, null);
  assert.equal(r.messages.notDelivered, 501);
  assert.equal(r.latency.publish, null);
  assert.equal(r.throughput.produced, null);
  assert.equal(r.failover.max, null);
  assert.deepEqual(r.failover.unmeasured.max, ['f1']);
  assert.equal(r.failover.consumerMax, 500, 'consumers resuming is still measured');
  assert.equal(r.criteria[0]!.passed, false, 'lost is not measured with acks=0');
  assert.equal(r.criteria[1]!.passed, true);
});

test('without a final read, lost is unverified and the warning does not claim one ran', () => {
  const r = result({
    counts: counts({ consumed: 7, ackedNotConsumed: 3 }),
    outcome: {
      foreign: 0,
      drained: false,
      orderChecked: true,
      consumersRan: true,
      finalReadComplete: false,
      lostSample: [],
      finalReadAvailable: false,
      acknowledgesWrites: true,
    },
    criteria: ['messages.lost == 0'],
  });
  assert.equal(r.messages.lost, 3);
  assert.equal(r.messages.lostVerified, false);
  const warning = r.warnings.find((w) => w.includes('drain bound'));
  assert.ok(warning);
  assert.match(warning, /no final read/);
  assert.doesNotMatch(warning, /found \d+ of those/);
  assert.match(r.criteria[0]!.note ?? '', /unverified/);
});

test('duplicates the log holds and consumer redeliveries are reported apart; the reorder caveat names the producer', () => {
  const r = result({
    counts: counts({ duplicated: 3, redelivered: 5, reordered: 2 }),
    outcome: {
      foreign: 0,
      drained: true,
      orderChecked: true,
      consumersRan: true,
      finalReadComplete: null,
      lostSample: [],
      finalReadAvailable: true,
      acknowledgesWrites: true,
      producerReorderCaveat: 'the producer retries',
    },
    criteria: [
      'messages.duplicated == 3',
      'messages.redelivered == 5',
      'messages.consumedUnacked == 0',
      'messages.foundByFinalRead == 0',
    ],
  });
  assert.equal(r.messages.duplicated, 3);
  assert.equal(r.messages.redelivered, 5);
  assert.equal(r.messages.producerMayReorder, true);
  assert.ok(r.warnings.some((w) => /reordered 2: the producer retries/.test(w)));
  assert.ok(r.criteria.every((c) => c.passed));
});

test('send lag from a fault that held every send slot is put down to the slots, not to the harness', () => {
  const collector = new Collector({ warmupMs: 0, measureEndMs: 60_000, messageSize: 1024 });
  // 1000 messages on time, then 20 (2 %) due while every slot was taken, sent 2 s late when room came back.
  for (let i = 0; i < 1000; i++) collector.onSent(i, [i]);
  const late = Array.from({ length: 20 }, (_, i) => 1000 + i);
  collector.onSent(3020, late, 3020);
  const slots = result({ metrics: collector.snapshot(60_000) }).warnings.find((w) => /send lag p99/.test(w));
  assert.match(slots ?? '', /messages waited to be sent .* 2 % of them for room to send/);
  // The same lag without a slot wait is the harness's own.
  const own = new Collector({ warmupMs: 0, measureEndMs: 60_000, messageSize: 1024 });
  for (let i = 0; i < 1000; i++) own.onSent(i, [i]);
  own.onSent(3020, late);
  assert.match(
    result({ metrics: own.snapshot(60_000) }).warnings.find((w) => /send lag p99/.test(w)) ?? '',
    /the harness lagged its own send schedule/,
  );
});
