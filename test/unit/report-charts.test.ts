import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderSvg } from '../../src/report/charts/chart.js';
import { comparisonCharts } from '../../src/report/charts/comparison-charts.js';
import { renderRunCharts } from '../../src/report/charts/rendered.js';
import {
  faultWindows,
  latencySeries,
  percentileLabel,
  phaseWindows,
  rateSeries,
  spectrum,
} from '../../src/report/charts/series.js';
import { LatencyHistogram } from '../../src/metrics/latency-histogram.js';
import type { TimelinePoint } from '../../src/metrics/collector.js';
import { fixtureResult } from './report-fixtures.js';

const point = (t: number, extra: Partial<TimelinePoint> = {}): TimelinePoint => ({
  t,
  phase: 'measure',
  sent: 100,
  produced: 100,
  consumed: 90,
  publishP99: 5,
  endToEndP99: 9,
  errors: 0,
  ...extra,
});

test('rates per second: a cut interval counts over its own length', () => {
  assert.deepEqual(rateSeries([point(0), point(1, { seconds: 0.5, produced: 40 })], 'produced'), [
    [0, 100],
    [1, 80],
  ]);
});

test('latency series: gaps stay gaps; none at all when the result predates p50 and max', () => {
  assert.deepEqual(latencySeries([point(0, { publishMax: 7 }), point(1, { publishMax: null })], 'publishMax'), [
    [0, 7],
    [1, null],
  ]);
  assert.deepEqual(latencySeries([point(0)], 'publishP50'), []);
});

test("the spectrum is HdrHistogram's plot: x = 1/(1−p), as far as the samples reach, ending at the max", () => {
  const histogram = new LatencyHistogram();
  for (let i = 1; i <= 1000; i++) histogram.recordMs(i);
  const points = spectrum(histogram.encode());
  assert.deepEqual(points[0], [1, 1]);
  const at99 = points.find(([x]) => x === 100)!;
  assert.ok(Math.abs(at99[1] - 990) <= 1, `p99 ${at99[1]}`);
  const [lastX, lastMs] = points.at(-1)!;
  assert.equal(lastX, 1000);
  assert.ok(lastMs >= 1000 && lastMs <= 1001, `ends at the max, within HdrHistogram's precision: ${lastMs}`);
  assert.equal(points.filter(([x]) => x === 1000).length, 1);
  assert.ok(
    points.every(([x], i) => i === 0 || x > points[i - 1]![0]),
    'x ascends',
  );
  assert.deepEqual(spectrum(new LatencyHistogram().encode()), [], 'nothing recorded: no spectrum');
  assert.deepEqual(spectrum('not a histogram'), []);
  assert.deepEqual([1, 10, 100, 1000, 100_000].map(percentileLabel), ['0%', '90%', '99%', '99.9%', '99.999%']);
});

test('windows from a real run: the fault while in force, the warm-up and the drain', () => {
  const r = fixtureResult('kafka-pause');
  const [fault] = faultWindows(r);
  assert.equal(fault!.label, 'f1 pause broker-1');
  assert.ok(Math.abs(fault!.fromS - 6) < 0.5 && Math.abs(fault!.toS - 8) < 0.5, JSON.stringify(fault));
  assert.deepEqual(
    phaseWindows(r).map((w) => [w.label, w.fromS]),
    [
      ['warm-up', 0],
      ['drain', 14],
    ],
  );
});

test('every chart of a real run is drawn as standalone SVG with its data; the resources section is empty', async () => {
  const sections = await renderRunCharts(fixtureResult('failover-pairs/kafka-east'));
  const drawn = sections.flatMap((s) => s.charts);
  assert.ok(drawn.length >= 8, `${drawn.length} charts`);
  for (const { chart, svg, error } of drawn) {
    assert.equal(error, undefined, chart.id);
    assert.ok(svg!.startsWith('<svg') && svg!.includes('xmlns="http://www.w3.org/2000/svg"'), chart.id);
    assert.ok(!/<script|https?:\/\/(?!www\.w3\.org)/.test(svg!), `${chart.id}: no script, no link out`);
    assert.ok(chart.points > 0, chart.id);
  }
  assert.deepEqual(sections.find((s) => s.id === 'resources')?.charts, []);
  assert.equal(
    (await renderRunCharts(fixtureResult('kafka-pause'))).find((s) => s.id === 'replication')?.charts.length,
    0,
  );
});

test('the comparison overlays every run on one axis', () => {
  const runs = ['kafka-east', 'pulsar-east'].map((label) => ({
    label,
    dir: `/r/${label}`,
    result: fixtureResult(`failover-pairs/${label}`),
  }));
  const charts = comparisonCharts(runs);
  assert.ok(charts.some((c) => c.id === 'spectrum-publish'));
  for (const chart of charts) {
    const names = (chart.option.series as Array<{ name: string }>).map((s) => s.name);
    assert.deepEqual(names, ['kafka-east', 'pulsar-east'], chart.id);
    assert.match(renderSvg(chart), /kafka-east[\s\S]*pulsar-east/);
  }
});

test('resource timelines of a real run: CPU and RSS per process, brokers first, the fault shaded on the first line', async () => {
  const r = fixtureResult('resources/kafka');
  const resources = (await renderRunCharts(r)).find((s) => s.id === 'resources')!;
  assert.deepEqual(
    resources.charts.map((c) => c.chart.id),
    ['resources-cpu', 'resources-rss'],
  );
  for (const { chart, svg } of resources.charts) {
    const series = chart.option.series as Array<{ name: string; markArea?: { data: Array<[{ name: string }]> } }>;
    assert.deepEqual(
      series.map((s) => s.name),
      ['kafka/broker-1', 'kafka/toxiproxy', 'harness (faultline)'],
    );
    assert.ok(
      series[0]!.markArea!.data.some(([from]) => from.name.startsWith('f1 latency')),
      chart.id,
    );
    assert.ok(svg!.startsWith('<svg'), chart.id);
  }
  const comparison = comparisonCharts(
    ['kafka', 'pulsar'].map((label) => ({ label, dir: `/r/${label}`, result: fixtureResult(`resources/${label}`) })),
  ).find((c) => c.id === 'resources-brokers-cpu')!;
  assert.deepEqual(
    (comparison.option.series as Array<{ name: string }>).map((s) => s.name),
    ['kafka', 'pulsar'],
  );
});
