/**
 * The injector against fake brokers and a fake network, on a mock clock: each fault in force for exactly its
 * own window, whatever is scheduled beside it; heals that never wait behind lookups; healAll that heals
 * everything whatever fails; truthful records.
 */
import assert from 'node:assert/strict';
import { afterEach, mock, test } from 'node:test';
import { planFaults } from '../../src/faults/fault-plan.js';
import type { Problem } from '../../src/scenario/problems.js';
import { parseScenario } from '../../src/scenario/load-scenario.js';
import { bench, FakeBroker, kafkaYaml, planned } from './fault-fakes.js';

afterEach(() => mock.timers.reset());

const faults = (lines: string) => `faults:\n${lines}`;

test('back-to-back isolates of one broker: the second is in force after the first heals (heals at planned time, heals first)', async () => {
  const b = bench(
    await planned(
      kafkaYaml({
        faults: faults(
          `  - {at: 500ms, action: isolate, target: broker-1, duration: 500ms}\n  - {at: 1000ms, action: isolate, target: broker-1, duration: 500ms}`,
        ),
      }),
    ),
  );
  await b.advanceTo(700);
  assert.equal(b.cutOf(1).length, 9);
  await b.advanceTo(1200);
  assert.equal(b.cutOf(1).length, 9, 'the second isolate holds every link of broker-1 cut');
  assert.ok(!b.network.calls.some((c) => c.startsWith('1000 enable')), 'no link reopened between the two faults');
  await b.advanceTo(1600);
  assert.deepEqual(b.cutOf(1), [], 'healed at 1500 ms');
  const [first, second] = b.injector.results(1600);
  assert.deepEqual([first!.injectedAt, first!.healedAt, second!.injectedAt, second!.healedAt], [500, 1000, 1000, 1500]);
  await b.injector.healAll();
});

test('kill then pause of one broker back to back: the broker is started and paused, not left running', async () => {
  const b = bench(
    await planned(
      kafkaYaml({
        faults: faults(
          `  - {at: 500ms, action: kill, target: "leader(t, 0)", duration: 500ms}\n  - {at: 1000ms, action: pause, target: broker-1, duration: 500ms}`,
        ),
      }),
    ),
  );
  await b.advanceTo(700);
  assert.equal(b.brokers[0]!.state, 'down');
  await b.advanceTo(1250);
  assert.equal(b.brokers[0]!.state, 'paused', 'the pause is in force');
  await b.advanceTo(1600);
  assert.equal(b.brokers[0]!.state, 'up');
  await b.injector.healAll();
});

test('a nemesis with duration == every hitting one broker twice keeps it isolated throughout', async () => {
  const plan = await planned(
    kafkaYaml({
      brokers: 2,
      duration: '4s',
      nemesis: 'nemesis: {every: 500ms, duration: 500ms, actions: [isolate], seed: 1}',
    }),
  );
  const b = bench(plan, { brokers: 2 });
  for (const fault of plan) {
    await b.advanceTo(fault.atMs + 250);
    const id = fault.target.kind === 'broker' ? fault.target.id : 0;
    assert.equal(b.cutOf(id).length, 5, `${fault.id} (broker-${id}) in force at ${fault.atMs + 250} ms`);
  }
  await b.injector.healAll();
});

test('overlapping isolates of brokers 1 and 2 share the 1↔2 links: they stay cut until the second heals', async () => {
  const b = bench(
    await planned(
      kafkaYaml({
        faults: faults(
          `  - {at: 500ms, action: isolate, target: broker-1, duration: 1000ms}\n  - {at: 1000ms, action: isolate, target: broker-2, duration: 1000ms}`,
        ),
      }),
    ),
  );
  await b.advanceTo(1800);
  assert.deepEqual(
    b.cutOf(2).sort(),
    b.links
      .filter((l) => l.to === 2 || l.from === 2)
      .map((l) => l.name)
      .sort(),
    'every link of broker-2, 1↔2 included',
  );
  assert.deepEqual(b.cutOf(1).sort(), ['controller-1-to-2', 'controller-2-to-1', 'peer-1-to-2', 'peer-2-to-1']);
  await b.advanceTo(2100);
  assert.deepEqual(b.network.cut(), []);
  await b.injector.healAll();
});

test('healAll: one failing heal does not stop the others; the reset and the SIGCONT/start sweep always run', async () => {
  const b = bench(
    await planned(
      kafkaYaml({
        faults: faults(
          `  - {at: 100ms, action: isolate, target: broker-1}\n  - {at: 150ms, action: pause, target: broker-2}`,
        ),
      }),
    ),
  );
  await b.advanceTo(300);
  assert.equal(b.brokers[1]!.state, 'paused');
  b.network.failEnables = 1;
  await b.injector.healAll();
  assert.equal(b.brokers[1]!.state, 'up', 'the paused broker continues before the drain');
  assert.deepEqual(b.network.cut(), [], 'the network reset reopened the link whose heal failed');
  assert.ok(b.network.calls.some((c) => c.endsWith('reset')));
  const [isolate, pause] = b.injector.results(300);
  assert.match(
    isolate!.healError ?? '',
    /1 of 9 link\(s\) could not be opened: client-clients-to-1 .*; healed by the final reset at 300 ms/,
  );
  assert.equal(isolate!.healedAt, 300);
  assert.equal(pause!.healedAt, 300);
  assert.equal(pause!.healError, undefined);
});

test('healAll: when the network reset fails too, the failed fault reads as never healed and the brokers still continue', async () => {
  const b = bench(
    await planned(
      kafkaYaml({
        faults: faults(
          `  - {at: 100ms, action: isolate, target: broker-1}\n  - {at: 150ms, action: pause, target: broker-2}`,
        ),
      }),
    ),
  );
  await b.advanceTo(300);
  b.network.failEnables = 1;
  b.network.failReset = true;
  await b.injector.healAll();
  assert.equal(b.brokers[1]!.state, 'up');
  const [isolate] = b.injector.results(300);
  assert.equal(isolate!.healedAt, null);
  assert.match(isolate!.healError ?? '', /could not be opened/);
});

test('a cut that fails part-way is rolled back and recorded as not injected', async () => {
  const b = bench(
    await planned(kafkaYaml({ faults: faults('  - {at: 100ms, action: isolate, target: broker-1, duration: 200ms}') })),
  );
  b.network.disablesBeforeFailing = 4;
  await b.advanceTo(150);
  assert.deepEqual(b.network.cut(), [], 'the links it did cut are open again');
  const [record] = b.injector.results(150);
  assert.equal(record!.injectedAt, null);
  assert.match(record!.error ?? '', /5 of 9 link\(s\) could not be cut: .*; rolled back at 100 ms/);
  assert.deepEqual(b.watches, [], 'no recovery watch for a fault that was not in force');
  await b.injector.healAll();
});

test('a failed toxic removal is not swallowed: the fault reads as healed only by the final reset', async () => {
  const b = bench(
    await planned(
      kafkaYaml({
        faults: faults('  - {at: 100ms, action: latency, target: broker-1, latency: 50ms, duration: 200ms}'),
      }),
    ),
  );
  b.network.failRemovals = 1;
  await b.advanceTo(400);
  let [record] = b.injector.results(400);
  assert.equal(record!.healedAt, null, 'not healed at 300 ms: its toxic is still there');
  assert.match(record!.healError ?? '', /could not remove/);
  assert.ok(b.network.toxics.size > 0);
  await b.injector.healAll();
  [record] = b.injector.results(400);
  assert.equal(record!.healedAt, 400);
  assert.match(record!.healError ?? '', /healed by the final reset at 400 ms/);
  assert.equal(b.network.toxics.size, 0);
});

test('heals never wait behind a slow controller lookup; the lookup is time-boxed and the fault recorded as not injected', async () => {
  const b = bench(
    await planned(
      kafkaYaml({
        duration: '30s',
        faults: faults(
          `  - {at: 100ms, action: latency, target: broker-1, latency: 100ms, duration: 200ms}\n  - {at: 150ms, action: isolate, target: controller, duration: 20s}`,
        ),
      }),
    ),
    {
      controller: () => new Promise(() => {}),
    },
  );
  await b.advanceTo(15_300);
  const [latency, isolate] = b.injector.results(15_300);
  assert.equal(latency!.healedAt, 300, 'the latency heals on time');
  assert.equal(isolate!.injectedAt, null);
  assert.match(isolate!.error ?? '', /the active controller could not be looked up within 15 s/);
  assert.deepEqual(b.network.cut(), []);
  await b.injector.healAll();
});

test('a paused leader is continued on time although leader lookups hang while it is paused', async () => {
  let b: ReturnType<typeof bench>;
  b = bench(
    await planned(
      kafkaYaml({ faults: faults('  - {at: 100ms, action: pause, target: "leader(t, 0)", duration: 300ms}') }),
    ),
    {
      leaderOf: () => (b.brokers[0]!.paused ? new Promise(() => {}) : Promise.resolve(1)),
    },
  );
  await b.advanceTo(500);
  assert.deepEqual(b.brokers[0]!.signals, ['100 SIGSTOP', '400 SIGCONT']);
  const [record] = b.injector.results(500);
  assert.deepEqual([record!.injectedAt, record!.healedAt, record!.leaderBeforeHeal], [100, 400, null]);
  await b.injector.healAll();
});

test('leaderBeforeHeal is the latest leader seen before the heal', async () => {
  let leader = 1;
  const b = bench(
    await planned(
      kafkaYaml({
        duration: '20s',
        faults: faults('  - {at: 1s, action: isolate, target: "leader(t, 0)", duration: 10s}'),
      }),
    ),
    { leaderOf: async () => leader },
  );
  await b.advanceTo(2_000);
  leader = 2;
  await b.advanceTo(11_100);
  const [record] = b.injector.results(11_100);
  assert.deepEqual([record!.resolvedTarget, record!.leaderBeforeHeal, record!.healedAt], ['broker-1', 2, 11_000]);
  await b.injector.healAll();
});

test('restart: the fault starts when SIGTERM is sent, not after the broker has shut down', async () => {
  const b = bench(await planned(kafkaYaml({ faults: faults('  - {at: 100ms, action: restart, target: broker-1}') })));
  b.brokers[0]!.stopMs = 600;
  await b.advanceTo(800);
  const [record] = b.injector.results(800);
  assert.deepEqual(b.brokers[0]!.signals, ['100 SIGTERM', '700 start']);
  assert.deepEqual([record!.injectedAt, record!.healedAt], [100, 700]);
  assert.deepEqual(b.watches, [100], 'the recovery is watched from the SIGTERM');
  await b.injector.healAll();
});

test('no fault lands after healAll began: a leader kill still looking up its target is never applied', async () => {
  const b = bench(
    await planned(kafkaYaml({ faults: faults('  - {at: 100ms, action: kill, target: "leader(t, 0)", duration: 1s}') })),
    {
      leaderOf: () => new Promise((done) => setTimeout(() => done(2), 300)),
    },
  );
  await b.advanceTo(200);
  await b.injector.healAll();
  await b.advanceTo(600);
  assert.ok(!b.brokers.some((broker) => broker.signals.some((s) => s.endsWith('SIGKILL'))), 'no SIGKILL after healAll');
  const [record] = b.injector.results(600);
  assert.equal(record!.injectedAt, null);
  assert.match(record!.error ?? '', /producing ended while its target was being looked up/);
});

test('no fault lands after healAll began: a cut whose Toxiproxy calls are in flight is rolled back', async () => {
  const b = bench(
    await planned(kafkaYaml({ faults: faults('  - {at: 100ms, action: isolate, target: broker-1, duration: 1s}') })),
  );
  b.network.callMs = 50;
  await b.advanceTo(120);
  const healing = b.injector.healAll();
  await b.advanceTo(400);
  await healing;
  assert.deepEqual(b.network.cut(), []);
  const [record] = b.injector.results(400);
  assert.equal(record!.injectedAt, null);
  assert.match(record!.error ?? '', /producing ended while it was being injected; rolled back/);
});

for (const [answer, shown] of [
  [-1, '-1'],
  [undefined, 'nothing'],
  [7, '7, not one of brokers 1, 2, 3'],
] as const) {
  test(`a leaderless partition (leader ${String(answer)}) is an injection error, not a fault that cuts nothing`, async () => {
    const b = bench(
      await planned(
        kafkaYaml({ faults: faults('  - {at: 50ms, action: isolate, target: "leader(t, 0)", duration: 100ms}') }),
      ),
      { leaderOf: async () => answer },
    );
    await b.advanceTo(300);
    const [record] = b.injector.results(300);
    assert.deepEqual([record!.injectedAt, record!.healedAt], [null, null]);
    assert.equal(record!.error, `t/0 has no leader (the cluster answered ${shown})`);
    assert.deepEqual(b.watches, []);
    assert.deepEqual(b.network.calls, []);
    await b.injector.healAll();
  });
}

test('bandwidth: the toxic rate is the asked bytes per second in Toxiproxy KB/s of 1000 B, exactly', async () => {
  const b = bench(
    await planned(
      kafkaYaml({
        faults: faults(
          `  - {at: 10ms, action: bandwidth, target: broker-1, rate: 1MB, links: clients, duration: 50ms}\n  - {at: 10ms, action: bandwidth, target: broker-2, rate: 250KB, links: clients, duration: 50ms}`,
        ),
      }),
    ),
  );
  await b.advanceTo(20);
  assert.deepEqual(
    [...b.network.toxics.values()].map((t) => [t.link, t.type, t.attributes.rate]),
    [
      ['client-clients-to-1', 'bandwidth', 1000],
      ['client-clients-to-2', 'bandwidth', 250],
    ],
  );
  await b.injector.healAll();
});

test('a restart of a broker a kill holds down (targets resolved at run time) is refused, not an early start', async () => {
  const base = { origin: 'faults', links: 'all', stream: 'upstream' } as const;
  const b = bench([
    {
      ...base,
      id: 'f1',
      action: 'kill',
      target: { kind: 'leader', topic: 't', partition: 0 },
      atMs: 100,
      durationMs: 900,
    },
    { ...base, id: 'f2', action: 'restart', target: { kind: 'broker', id: 1 }, atMs: 300, durationMs: 0 },
  ]);
  await b.advanceTo(500);
  assert.equal(b.brokers[0]!.state, 'down', 'still held down by the kill');
  await b.advanceTo(1100);
  assert.deepEqual(b.brokers[0]!.signals, ['100 SIGKILL', '1000 start']);
  const [, restart] = b.injector.results(1100);
  assert.equal(restart!.injectedAt, null);
  assert.match(restart!.error ?? '', /broker-1 is held down by f1: restarting it would end that fault early/);
  await b.injector.healAll();
});

const forever = (line: string) => `${line}\ncriteria:\n  - failover.max < 30s\n`;

test('duration: forever — healAll (before the drain, and again at teardown) leaves the killed broker down, heals the rest, records forever with healedAt null', async () => {
  const b = bench(
    await planned(
      forever(
        kafkaYaml({
          faults: faults(
            '  - {at: 500ms, action: kill, target: broker-2, duration: forever}\n  - {at: 600ms, action: isolate, target: broker-1}',
          ),
        }),
      ),
    ),
  );
  await b.advanceTo(800);
  assert.equal(b.brokers[1]!.state, 'down');
  await b.injector.healAll();
  assert.equal(b.brokers[1]!.state, 'down', 'the forever kill still holds broker-2 down for the drain');
  assert.equal(b.brokers[1]!.starts, 0);
  assert.deepEqual(b.cutOf(1), [], 'the isolate (until the end of producing) healed');
  await b.injector.healAll();
  assert.equal(b.brokers[1]!.state, 'down', 'a second call (teardown) does not start it either');
  const [kill, isolate] = b.injector.results(3000);
  assert.equal(kill!.forever, true);
  assert.equal(kill!.injectedAt, 500);
  assert.equal(kill!.healedAt, null);
  assert.equal(isolate!.forever, undefined);
  assert.notEqual(isolate!.healedAt, null);
  assert.equal(JSON.parse(JSON.stringify(kill)).healedAt, null, 'JSON: null, with forever: true beside it');
});

test('duration: forever — a forever isolate keeps its links cut through healAll: no reset of the whole network, other toxics removed', async () => {
  const b = bench(
    await planned(
      forever(
        kafkaYaml({
          faults: faults(
            '  - {at: 500ms, action: isolate, target: broker-1, duration: forever}\n  - {at: 600ms, action: latency, latency: 50ms}',
          ),
        }),
      ),
    ),
  );
  await b.advanceTo(800);
  assert.equal(b.cutOf(1).length, 9);
  assert.ok(b.network.toxics.size > 0);
  await b.injector.healAll();
  assert.equal(b.cutOf(1).length, 9, 'broker-1 stays isolated through the drain');
  assert.equal(b.network.toxics.size, 0, 'the latency fault healed');
  assert.ok(!b.network.calls.some((c) => c.endsWith('reset')), 'no reset reopened the forever cut');
  const [isolate, latency] = b.injector.results(3000);
  assert.deepEqual([isolate!.forever, isolate!.healedAt], [true, null]);
  assert.notEqual(latency!.healedAt, null);
});

test('duration: forever on a pause: the broker stays paused through healAll (no SIGCONT)', async () => {
  const b = bench(
    await planned(
      forever(kafkaYaml({ faults: faults('  - {at: 500ms, action: pause, target: broker-3, duration: forever}') })),
    ),
  );
  await b.advanceTo(700);
  await b.injector.healAll();
  assert.equal(b.brokers[2]!.state, 'paused');
  assert.ok(!b.brokers[2]!.signals.some((s) => s.endsWith('SIGCONT')));
});

test('mirrormaker(b): a kill SIGKILLs that MirrorMaker 2 and starts it again at the heal; "all" never reaches it', async () => {
  const { scenario } = parseScenario(
    `name: mm2
clusters:
  - {name: a, system: kafka, brokers: 3}
  - {name: b, system: kafka, brokers: 1}
topics:
  - {name: t, cluster: a, partitions: 1}
replication:
  - {from: a, to: b, topics: [t]}
workload: {warmup: 0s, duration: 3s, rate: 10/s}
faults:
  - {at: 500ms, action: kill, target: "mirrormaker(b)", duration: 500ms}
  - {at: 600ms, action: pause, target: all, duration: 100ms}
  - {at: 1500ms, action: restart, target: "mirrormaker(b)"}
`,
    'mm2.yaml',
  );
  const problems: Problem[] = [];
  const planned = planFaults(scenario, scenario.clusters[0]!, scenario.topics, problems, 'kafkajs');
  assert.deepEqual(problems, []);
  const mm2 = new FakeBroker(7, () => Date.now());
  const b = bench(planned, { mirrorMakers: new Map([['b', mm2]]) });
  await b.advanceTo(700);
  assert.equal(mm2.state, 'down');
  assert.ok(!mm2.signals.some((s) => s.endsWith('SIGSTOP')), 'the pause of all brokers left MirrorMaker 2 alone');
  await b.advanceTo(1200);
  assert.equal(mm2.state, 'up');
  assert.equal(mm2.starts, 1);
  await b.advanceTo(1700);
  assert.equal(mm2.starts, 2, 'restarted');
  await b.injector.healAll();
  const [kill, , restart] = b.injector.results(3000);
  assert.deepEqual(
    [kill!.target, kill!.resolvedTarget, kill!.injectedAt, kill!.healedAt],
    ['mirrormaker(b)', 'mirrormaker(b)', 500, 1000],
  );
  assert.equal(restart!.resolvedTarget, 'mirrormaker(b)');
  assert.notEqual(restart!.healedAt, null);
});

test('a region-outage kill takes down the region’s brokers of every cluster and its MirrorMaker 2, and starts them at the heal', async () => {
  const now = () => Date.now();
  const planned = [
    {
      id: 'f1',
      origin: 'faults[0]',
      action: 'region-outage' as const,
      target: {
        kind: 'region' as const,
        region: 'eu',
        ids: [3],
        peers: [{ cluster: 'b', ids: [1] }],
        mirrorMakers: ['b'],
      },
      atMs: 500,
      durationMs: 500,
      links: 'all' as const,
      stream: 'both' as const,
      mode: 'kill' as const,
    },
  ];
  const mm2 = new FakeBroker(7, now);
  const peer = new FakeBroker(1, now);
  const b = bench(planned, { mirrorMakers: new Map([['b', mm2]]), peers: new Map([['b', [peer]]]) });
  await b.advanceTo(700);
  assert.deepEqual([b.brokers.map((x) => x.state), peer.state, mm2.state], [['up', 'up', 'down'], 'down', 'down']);
  await b.advanceTo(1200);
  assert.deepEqual([b.brokers[2]!.state, peer.state, mm2.state], ['up', 'up', 'up']);
  await b.injector.healAll();
  const [outage] = b.injector.results(2000);
  assert.equal(outage!.resolvedTarget, 'broker-3,b/broker-1,mirrormaker(b)');
  assert.deepEqual([outage!.injectedAt, outage!.healedAt], [500, 1000]);
});
