import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { compareRuns, loadRuns, pickRuns, renderComparison, type ComparedRun } from '../../src/report/compare.js';
import type { RunResult } from '../../src/report/result.js';

const summary = (p: number) => ({ count: 1000, p50: p, p90: p * 2, p99: p * 3, p999: p * 4, max: p * 5, mean: p });
const empty = { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };

function result(
  over: {
    cluster?: string;
    scenario?: string;
    status?: RunResult['status'];
    partial?: boolean;
    sent?: number;
    acked?: number;
    publishMs?: number | null;
    empty?: 'zeros' | 'null';
  } = {},
): RunResult {
  const sent = over.sent ?? 1000;
  const acked = over.acked ?? sent;
  const latency = over.empty === 'null' ? null : over.empty === 'zeros' ? empty : summary(over.publishMs ?? 10);
  return {
    schemaVersion: 1,
    status: over.status ?? 'passed',
    partial: over.partial ?? false,
    scenario: { name: over.scenario ?? 'demo', file: 'demo.yaml' },
    cluster: {
      name: over.cluster ?? 'main',
      system: 'kafka',
      provider: 'local',
      version: '3.9.0',
      brokers: 1,
      bootstrap: '',
    },
    driver: { name: 'kafkajs', requested: 'auto' },
    startedAt: '2026-11-23T10:00:00.000Z',
    workload: {
      warmupMs: 1000,
      durationMs: 10_000,
      drainTimeoutMs: 5000,
      messageSize: 100,
      targetRate: 100,
      phases: [{ durationMs: 10_000, rate: 100 }],
      topics: [{ name: 't', partitions: 1, replicationFactor: 1 }],
      producers: 1,
      consumers: 1,
    },
    throughput: {
      produced: { messagesPerSec: sent === 0 ? 0 : 100, bytesPerSec: 0 },
      consumed: { messagesPerSec: sent === 0 ? 0 : 100, bytesPerSec: 0 },
    },
    latency: { publish: latency, publishUncorrected: latency, endToEnd: latency, sendLag: latency },
    messages: {
      sent,
      acked,
      failed: 0,
      unacked: sent - acked,
      consumed: acked,
      lost: 0,
      duplicated: 0,
      reordered: 0,
      consumedUnacked: 0,
      foundByFinalRead: 0,
      lostSample: [],
      foreign: 0,
      drained: true,
    },
    errors: { total: 0, byKind: {} },
    criteria: [],
    warnings: [],
  } as unknown as RunResult;
}

const run = (label: string, r: RunResult): ComparedRun => ({ label, dir: `/r/${label}`, result: r });
const row = (c: ReturnType<typeof compareRuns>, metric: string) => c.rows.find((r) => r.metric === metric)!;

for (const shape of ['zeros', 'null'] as const) {
  test(`compare: a run that recorded no latency (summary ${shape === 'zeros' ? 'with count 0' : 'null'}) shows — and never wins a latency row`, () => {
    const comparison = compareRuns([
      run('good', result({ publishMs: 10 })),
      run('empty', result({ acked: 0, empty: shape })),
    ]);
    for (const metric of [
      'Publish latency p50',
      'Publish latency p99',
      'Publish latency max',
      'End-to-end latency p99',
    ]) {
      assert.deepEqual(
        row(comparison, metric).values,
        [
          10 *
            (
              {
                'Publish latency p50': 1,
                'Publish latency p99': 3,
                'Publish latency max': 5,
                'End-to-end latency p99': 3,
              } as Record<string, number>
            )[metric]!,
          null,
        ],
        metric,
      );
      assert.equal(row(comparison, metric).winner, null, metric);
    }
    assert.deepEqual(row(comparison, 'Lost messages').values, [0, null], 'nothing acknowledged: nothing to lose');
    assert.match(
      renderComparison(comparison),
      /\| Publish latency p99 \(ms, lower is better\) \| 30 \| — \| — \| — \|/,
    );
  });
}

test('compare: a run that sent nothing has no figure at all, not zeros that win', () => {
  const comparison = compareRuns([
    run('good', result({ publishMs: 10 })),
    run('broken', result({ status: 'error', partial: true, sent: 0, empty: 'zeros' })),
  ]);
  for (const r of comparison.rows) {
    assert.equal(r.values[1], null, r.metric);
    assert.notEqual(r.winner, 'broken', r.metric);
  }
  assert.ok(comparison.warnings.some((w) => /broken sent no message/.test(w)));
});

test('compare: an errored or partial run is marked in every row it appears in', () => {
  const comparison = compareRuns([
    run('done', result({ publishMs: 20 })),
    run('cut', result({ status: 'interrupted', partial: true, publishMs: 10 })),
  ]);
  for (const r of comparison.rows) assert.deepEqual(r.incomplete, [null, 'interrupted'], r.metric);
  const markdown = renderComparison(comparison);
  assert.match(markdown, /\| Publish latency p99 \(ms, lower is better\) \| 60 \| 30 † \| cut † \| 2× \|/);
  assert.match(markdown, /\| {2}\| done \| cut † \|/);
  assert.match(markdown, /† the run did not complete/);
});

const made: string[] = [];
after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const scratch = (prefix: string) => {
  made.push(mkdtempSync(join(tmpdir(), prefix)));
  return made.at(-1)!;
};

function resultsTree(layout: Record<string, RunResult>): string {
  const root = scratch('faultline-compare-');
  for (const [path, r] of Object.entries(layout)) {
    mkdirSync(join(root, path), { recursive: true });
    writeFileSync(join(root, path, 'result.json'), JSON.stringify(r));
  }
  return root;
}

test('compare DIR: a directory mixing runs of different scenarios is refused, naming them', async () => {
  const root = resultsTree({
    'a-1': result({ scenario: 'a' }),
    'a-2': result({ scenario: 'a' }),
    'b-1/kafka': result({ scenario: 'b', cluster: 'kafka' }),
    'b-1/pulsar': result({ scenario: 'b', cluster: 'pulsar' }),
  });
  await assert.rejects(pickRuns([root]), (error: Error & { exitCode?: number }) => {
    assert.equal(error.exitCode, 2);
    assert.match(error.message, /holds runs of 2 different scenarios \(a: 2 runs, b: 2 runs\)/);
    assert.match(error.message, /runs named one by one/);
    return true;
  });
  const named = await pickRuns([join(root, 'a-1'), join(root, 'b-1')]);
  assert.deepEqual(
    named.runs.map((r) => r.result.scenario.name),
    ['a', 'b', 'b'],
    'named one by one, different scenarios are compared',
  );
  assert.equal(named.picked.length, 2);
});

test('compare DIR: a scenario results directory gives its runs and their clusters, nothing deeper, labelled by path', async () => {
  const root = resultsTree({
    'demo-1': result(),
    'demo-2/kafka': result({ cluster: 'kafka' }),
    'demo-2/pulsar': result({ cluster: 'pulsar' }),
    'demo-3/logs/deep/x': result({ scenario: 'unrelated' }),
  });
  const { runs, picked } = await pickRuns([root]);
  assert.deepEqual(
    runs.map((r) => r.label),
    ['main', 'kafka', 'pulsar'],
  );
  assert.deepEqual(picked, [`${root}: 3 runs of scenario demo`]);
  const twice = await pickRuns([join(root, 'demo-1'), join(root, 'demo-1')]);
  assert.equal(twice.runs.length, 1, 'the same run named twice counts once');
  const sameCluster = resultsTree({ 'demo-1': result(), 'demo-2': result() });
  assert.deepEqual(
    (await pickRuns([sameCluster])).runs.map((r) => r.label),
    ['demo-1', 'demo-2'],
  );
});

test('compare DIR: a run of several clusters compares its clusters; bad arguments are usage errors', async () => {
  const root = resultsTree({ kafka: result({ cluster: 'kafka' }), pulsar: result({ cluster: 'pulsar' }) });
  assert.deepEqual(
    (await loadRuns([root])).map((r) => r.label),
    ['kafka', 'pulsar'],
  );
  assert.deepEqual((await pickRuns([root])).picked, [`${root}: 2 runs of scenario demo`]);
  await assert.rejects(pickRuns([join(root, 'nope')]), /not a directory/);
  await assert.rejects(pickRuns([scratch('faultline-empty-')]), /no result\.json here/);
  writeFileSync(join(root, 'kafka', 'result.json'), '{"not": "a result"}');
  await assert.rejects(pickRuns([root]), /kafka\/result\.json: not a faultline result/);
});

test('compare: with consumer groups in several regions, each group has its own lost and duplicated rows', () => {
  const withGroups = (eastLost: number, westLost: number): RunResult => {
    const r = result();
    const group = (lost: number) => ({ consumed: 1000 - lost, lost, duplicated: 0 });
    return {
      ...r,
      messages: { ...r.messages, byGroup: { east: group(eastLost), west: group(westLost) } },
    } as unknown as RunResult;
  };
  const comparison = compareRuns([run('kafka', withGroups(0, 3)), run('pulsar', withGroups(0, 0))]);
  const row = comparison.rows.find((r) => r.metric === 'Lost messages, west group');
  assert.deepEqual(row?.values, [3, 0]);
  assert.equal(row?.winner, 'pulsar');
  assert.ok(comparison.rows.some((r) => r.metric === 'Duplicated messages (log copies), east group'));
  assert.ok(!compareRuns([run('a', result()), run('b', result())]).rows.some((r) => /group/.test(r.metric)));
});

test('compare: brokers under different resource caps are flagged as not like for like; equal caps are not', () => {
  const capped = (cpus: number | undefined, gib?: number) => {
    const r = result();
    r.cluster.caps = { ...(cpus !== undefined ? { cpus } : {}), ...(gib ? { memoryBytes: gib * 1024 ** 3 } : {}) };
    return r;
  };
  const warnings = (a: RunResult, b: RunResult) =>
    compareRuns([run('kafka', a), run('pulsar', b)]).warnings.filter((w) => /resource caps/.test(w));
  assert.deepEqual(warnings(capped(1, 2), capped(1, 2)), []);
  assert.deepEqual(warnings(result(), result()), []);
  assert.match(
    warnings(capped(1, 2), capped(1.5, 2))[0]!,
    /not like for like: kafka: 1 CPU, 2GiB per broker; pulsar: 1\.5 CPU, 2GiB per broker/,
  );
  assert.match(warnings(capped(1), result())[0]!, /kafka: 1 CPU, memory uncapped per broker; pulsar: no caps/);
});
