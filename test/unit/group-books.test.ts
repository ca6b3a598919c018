/**
 * Every consumer group keeps its own books (issue 15, r01), region figures and selectors are consistent (r09), and
 * the drain warning states only what happened (truth-repros 07 case C; acks=0). The load runs through the real
 * runLoad against an in-memory log; each group of each region reads it, and a test decides what a group misses.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCriterion, resultPath } from '../../src/criteria/criterion.js';
import type { MessagingClient, ProducerHandle } from '../../src/drivers/driver.js';
import { InvalidInputError } from '../../src/errors.js';
import { LoadClock, type LoadOutcome, runLoad } from '../../src/load/load-run.js';
import { PayloadCodec } from '../../src/load/payload.js';
import type { LedgerCounts } from '../../src/metrics/message-ledger.js';
import { buildPlan } from '../../src/plan/plan.js';
import type { ClusterRun, RunPlan } from '../../src/plan/plan.js';
import { buildResult } from '../../src/report/build-result.js';
import { parseScenario } from '../../src/scenario/load-scenario.js';
import { type TopicSpec, topicSchema, type WorkloadSpec, workloadSchema } from '../../src/scenario/schema.js';

interface FakeOptions {
  /** Whether the group of `region` never gets this message. */
  drop?: (region: string, producer: number, sequence: number) => boolean;
  /** Whether the log lost this message after the groups read it (the final read does not see it). */
  truncated?: (producer: number, sequence: number) => boolean;
  /** A send this producer never answers (its n-th send, from 1). */
  unanswered?: { producer: number; send: number };
  /** Producers whose every send fails. */
  failing?: number[];
  /** Whether the client has a final read. */
  finalRead?: boolean;
}

/** An in-memory one-partition log: every send is appended, acked at once and delivered to every group at once. */
function fakeCluster(clock: () => number, codec: PayloadCodec, o: FakeOptions = {}) {
  const log: Buffer[] = [];
  const groups: Array<{ region: string; sink: (v: Buffer, ms: number, p: number, pos?: string) => void }> = [];
  const state = { finalReads: 0 };
  const deliver = (value: Buffer, offset: number) => {
    const header = codec.decode(value)!;
    for (const g of groups)
      if (!o.drop?.(g.region, header.producer, header.sequence)) g.sink(value, clock(), 0, String(offset));
  };
  const client: MessagingClient = {
    async createProducer(id): Promise<ProducerHandle> {
      let sends = 0;
      return {
        send(_topic, messages, onAcked) {
          sends++;
          if (o.failing?.includes(id)) return Promise.reject(new Error('refused'));
          if (o.unanswered?.producer === id && o.unanswered.send === sends) return new Promise(() => {});
          for (const m of messages) {
            log.push(m.value);
            deliver(m.value, log.length - 1);
          }
          onAcked(
            messages.map((_, i) => i),
            clock(),
            0,
          );
          return Promise.resolve();
        },
        close: async () => {},
      };
    },
    async createConsumerGroup(request) {
      groups.push({ region: request.region ?? '', sink: request.sink });
      return { ordered: true, close: async () => {} };
    },
    close: async () => {},
  };
  if (o.finalRead !== false)
    client.finalRead = async (_topics, sink) => {
      state.finalReads++;
      log.forEach((value, offset) => {
        const h = codec.decode(value)!;
        if (!o.truncated?.(h.producer, h.sequence)) sink(value, clock(), 0, String(offset));
      });
      return true;
    };
  return { client, state };
}

const topics: TopicSpec[] = [topicSchema.parse({ name: 't', partitions: 1 })];

async function load(
  o: FakeOptions & {
    workload?: Record<string, unknown>;
    producerRegions?: string[];
    consumerRegions?: string[] | null;
  } = {},
) {
  const runId = PayloadCodec.newRunId();
  const workload = workloadSchema.parse({
    duration: '1s',
    rate: '200/s',
    drainTimeout: '300ms',
    messageSize: 64,
    ...o.workload,
  });
  const clock = new LoadClock();
  const codec = new PayloadCodec(runId, workload.messageSize);
  const { client, state } = fakeCluster(clock.now, codec, o);
  const producerRegions = o.producerRegions ?? ['us-east'];
  const consumerRegions = o.consumerRegions === undefined ? ['us-east', 'eu-west'] : o.consumerRegions;
  const outcome = await runLoad(
    client,
    {
      runId,
      topics,
      workload,
      consumerReadyTimeoutMs: 1000,
      ...(consumerRegions
        ? {
            regions: {
              producerRegion: (id: number) => producerRegions[id % producerRegions.length]!,
              consumerRegions,
            },
          }
        : {}),
    },
    clock,
    { signal: new AbortController().signal },
  );
  return { outcome, finalReads: state.finalReads, workload };
}

function resultOf(
  outcome: LoadOutcome,
  workload: WorkloadSpec,
  criteria: string[] = [],
  driver = 'kafkajs',
): ReturnType<typeof buildResult> {
  const plan = { file: 'x.yaml', scenario: { name: 'x', workload }, criteria: criteria.map(parseCriterion) };
  const run = {
    cluster: { name: 'main', system: 'kafka', provider: 'local', version: '1', brokers: 1, driver: 'auto' },
    provider: {},
    driver: { name: driver },
    loadTopics: [{ name: 't', partitions: 1, replicationFactor: 1 }],
  };
  return buildResult({
    plan: plan as unknown as RunPlan,
    run: run as unknown as ClusterRun,
    cluster: undefined,
    startedAt: new Date(),
    endedAt: new Date(),
    metrics: outcome.metrics,
    counts: outcome.counts,
    outcome,
  });
}

const everyTwentieth = (region: string, _p: number, sequence: number) => region === 'eu-west' && sequence % 20 === 7;

test('r01: the second region group misses messages: a final read runs for it, its books name what it lacked, and the overall end-to-end covers both groups', async () => {
  const { outcome, finalReads, workload } = await load({ drop: everyTwentieth });
  const r = resultOf(outcome, workload, ['messages.lost == 0']);
  assert.equal(finalReads, 1, 'a group lacked acknowledged messages: the final read looks them up');
  const byGroup = r.messages.byGroup!;
  assert.deepEqual(Object.keys(byGroup), ['us-east', 'eu-west']);
  const sent = r.messages.sent;
  assert.equal(sent, 200);
  assert.equal(byGroup['us-east']!.consumed, 200);
  assert.equal(byGroup['eu-west']!.consumed, 190);
  assert.equal(byGroup['eu-west']!.foundByFinalRead, 10, 'in the log, never delivered to eu-west');
  assert.equal(byGroup['eu-west']!.caughtUp, false);
  assert.equal(byGroup['us-east']!.caughtUp, true);
  assert.equal(r.messages.lost, 0, 'the log holds them: not lost');
  assert.equal(r.messages.lostVerified, true);
  assert.equal(r.messages.drained, false);
  assert.equal(r.messages.consumed, 390, 'deliveries summed over the groups');
  assert.equal(r.latency.endToEnd!.count, 390, "the overall end-to-end holds both groups' deliveries");
  const warning = r.warnings.find((w) => w.includes('drain bound'));
  assert.match(warning ?? '', /the eu-west consumer group had not received 10 acknowledged message\(s\)/);
  assert.match(warning ?? '', /a final read .* then found 10 of them still undelivered but in the log/);
});

test('r01: messages a group lacks that the final read does not find are lost, the group is named, and a group selector judges each group', async () => {
  const { outcome, workload } = await load({ drop: everyTwentieth, truncated: (_p, s) => s % 20 === 7 });
  const r = resultOf(outcome, workload, [
    'messages.lost == 0',
    'messages.lost[eu-west] == 0',
    'messages.lost[us-east] == 0',
    'messages.consumed[eu-west] >= 190',
  ]);
  assert.equal(r.messages.lost, 10);
  assert.equal(r.messages.byGroup!['eu-west']!.lost, 10);
  assert.equal(r.messages.byGroup!['us-east']!.lost, 0);
  assert.equal(r.messages.lostSample.length, 10);
  assert.deepEqual(r.messages.lostSample[0]!.missingFrom, ['eu-west']);
  assert.deepEqual(
    r.criteria.map((c) => [c.expression, c.actual, c.passed]),
    [
      ['messages.lost == 0', 10, false],
      ['messages.lost[eu-west] == 0', 10, false],
      ['messages.lost[us-east] == 0', 0, true],
      ['messages.consumed[eu-west] >= 190', 190, true],
    ],
  );
});

test('r01: the lost count is per message: two groups lacking the same message count it once, and each group names it', async () => {
  const { outcome, workload } = await load({
    consumerRegions: ['us-east', 'eu-west', 'ap-south'],
    drop: (region, _p, s) => (region === 'eu-west' && s % 20 === 7) || (region === 'ap-south' && s % 40 === 7),
    truncated: (_p, s) => s % 20 === 7,
  });
  const r = resultOf(outcome, workload);
  assert.equal(r.messages.byGroup!['eu-west']!.lost, 10);
  assert.equal(r.messages.byGroup!['ap-south']!.lost, 5);
  assert.equal(r.messages.lost, 10);
  assert.deepEqual(r.messages.lostSample[0]!.missingFrom, ['eu-west', 'ap-south']);
  assert.deepEqual(r.messages.lostSample[1]!.missingFrom, ['eu-west']);
});

test('drain warning (07 case C): a send still unanswered at the drain end, every acked message delivered: no final read claimed, lost verified', async () => {
  const { outcome, finalReads, workload } = await load({
    consumerRegions: null,
    unanswered: { producer: 0, send: 5 },
  });
  const r = resultOf(outcome, workload, ['messages.lost == 0']);
  assert.equal(finalReads, 0);
  assert.equal(r.messages.drained, false);
  assert.equal(r.messages.lostVerified, true, 'every acknowledged message was delivered');
  assert.deepEqual([r.criteria[0]!.passed, r.criteria[0]!.note], [true, undefined]);
  const warning = r.warnings.find((w) => w.includes('drain bound')) ?? '';
  assert.match(warning, /still waiting for the broker's answer/);
  assert.doesNotMatch(warning, /final read from the beginning|found \d+|had not caught up|had not received/);
  assert.equal(r.messages.byGroup, null, 'no regions: no per-group books');
});

test('drain warning: a second group behind with a driver that has no final read says so and names the group', async () => {
  const { outcome, workload } = await load({ drop: everyTwentieth, finalRead: false });
  const r = resultOf(outcome, workload, ['messages.lost[eu-west] == 0'], 'websocket');
  const warning = r.warnings.find((w) => w.includes('drain bound')) ?? '';
  assert.match(warning, /the eu-west consumer group had not received 10 acknowledged/);
  assert.match(warning, /the websocket driver has no final read/);
  assert.doesNotMatch(warning, /found \d+ of them/);
  assert.equal(r.messages.byGroup!['eu-west']!.lostVerified, false);
  assert.match(r.criteria[0]!.note ?? '', /unverified: the eu-west group did not catch up/);
});

test('drain warning under acks=0 speaks of neither "acknowledged" nor "lost"', () => {
  const workload = workloadSchema.parse({ duration: '1s', rate: '100/s', drainTimeout: '300ms', messageSize: 64 });
  const counts: LedgerCounts = {
    sent: 100,
    acked: 100,
    failed: 0,
    consumed: 90,
    duplicated: 0,
    redelivered: 0,
    duplicatesUnclassified: 0,
    ackedNotConsumed: 10,
    consumedUnacked: 0,
    foundByFinalRead: 4,
    reordered: 0,
    unplaced: 0,
  };
  const outcome = {
    metrics: undefined,
    counts,
    foreign: 0,
    drained: false,
    orderChecked: true,
    consumersRan: true,
    finalReadComplete: true,
    finalReadAvailable: true,
    acknowledgesWrites: false,
    lostSample: [],
  };
  for (const unanswered of [{}, { unansweredAtDrainEnd: 3 }]) {
    const r = buildResult({
      plan: { file: 'x.yaml', scenario: { name: 'x', workload }, criteria: [] } as unknown as RunPlan,
      run: {
        cluster: { name: 'k' },
        provider: {},
        driver: { name: 'kafkajs' },
        loadTopics: [],
      } as unknown as ClusterRun,
      cluster: undefined,
      startedAt: new Date(),
      endedAt: new Date(),
      metrics: undefined,
      counts,
      outcome: { ...outcome, ...unanswered },
    });
    const warning = r.warnings.find((w) => w.includes('drain bound')) ?? '';
    assert.match(warning, /found 4 of them/);
    assert.doesNotMatch(warning, /acknowledged|lost/i, warning);
  }
});

test('r09: a producing region whose every send failed reads 0 msg/s with latency null, as the overall figure does', async () => {
  const { outcome, workload } = await load({
    workload: { producers: 2 },
    producerRegions: ['us-east', 'eu-west'],
    consumerRegions: ['us-east'],
    failing: [1],
  });
  const r = resultOf(outcome, workload, ['throughput.produced[eu-west].messagesPerSec < 1']);
  assert.equal(r.byRegion!.produced['eu-west']!.messagesPerSec, 0);
  assert.equal(r.byRegion!.publish['eu-west'], null);
  assert.equal(r.byRegion!.consumed['eu-west->us-east']!.messagesPerSec, 0);
  assert.equal(r.byRegion!.endToEnd['eu-west->us-east'], null);
  assert.deepEqual([r.criteria[0]!.actual, r.criteria[0]!.passed], [0, true]);
});

async function refusal(yaml: string): Promise<string> {
  try {
    await buildPlan(parseScenario(yaml, 's.yaml'));
  } catch (error) {
    if (error instanceof InvalidInputError) return error.message;
    throw error;
  }
  return assert.fail('the plan was accepted');
}

const twoRegions = (workload: string, criteria: string) => `name: x
regions: [us-east, eu-west, ap-south]
links:
  - {between: [us-east, eu-west], latency: 10ms}
  - {between: [us-east, ap-south], latency: 10ms}
  - {between: [eu-west, ap-south], latency: 10ms}
clusters: [{name: main, system: kafka, region: us-east}]
topics: [{name: t}]
workload: ${workload}
criteria: ['${criteria}']
`;

test('r09: selectors that name no traffic are refused at validate, with file, line and field', async () => {
  assert.match(
    await refusal(`name: x
clusters: [{name: main, system: kafka}]
topics: [{name: t}]
workload: {duration: 10s, rate: 10/s}
criteria: ['latency.publish[local].p99 < 1s']
`),
    /s\.yaml:5:\d+: criteria\[0\]: .*no regions are declared/,
  );
  const placed = '{duration: 10s, rate: 10/s, placement: {producers: [us-east], consumers: [us-east, eu-west]}}';
  assert.match(
    await refusal(twoRegions(placed, 'throughput.consumed[eu-west->us-east].messagesPerSec < 1')),
    /s\.yaml:\d+:\d+: criteria\[0\]: no producer sits in "eu-west"/,
  );
  assert.match(
    await refusal(twoRegions(placed, 'messages.lost[ap-south] == 0')),
    /criteria\[0\]: no consumer group reads in "ap-south"/,
  );
  assert.match(
    await refusal(twoRegions(placed, 'latency.endToEnd[us-east->ap-south].p99 < 1s')),
    /criteria\[0\]: no consumer group reads in "ap-south"/,
  );
  // Two regions named for producers, one producer: the second region has none.
  assert.match(
    await refusal(
      twoRegions(
        '{duration: 10s, rate: 10/s, producers: 1, placement: {producers: [us-east, eu-west]}}',
        'latency.publish[eu-west].p99 < 1s',
      ),
    ),
    /no producer sits in "eu-west"/,
  );
  assert.match(
    await refusal(twoRegions('{duration: 10s, rate: 10/s, consumers: 0}', 'messages.lost[us-east] == 0')),
    /needs consumers, and the workload has none/,
  );
  const accepted = await buildPlan(parseScenario(twoRegions(placed, 'messages.lost[eu-west] == 0'), 's.yaml'));
  assert.deepEqual(resultPath(accepted.criteria[0]!), ['messages', 'byGroup', 'eu-west', 'lost']);
});
