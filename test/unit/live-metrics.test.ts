import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InfrastructureError } from '../../src/errors.js';
import type { FaultRecord } from '../../src/faults/fault-injector.js';
import { LiveMetrics } from '../../src/live/live-metrics.js';
import { startMetricsServer } from '../../src/live/metrics-server.js';
import type { LoadProgress } from '../../src/load/load-run.js';
import type { CollectedMetrics } from '../../src/metrics/collector.js';

const summary = { count: 10, p50: 2, p90: 3, p99: 5, p999: 8, max: 9, mean: 2.5 };
const progress = {
  phase: 'measure',
  elapsedMs: 4000,
  plannedMs: 30_000,
  last: { t: 3, phase: 'measure', sent: 1000, produced: 990, consumed: 980, publishP99: 4, endToEndP99: 7, errors: 0 },
  counts: { sent: 4000, acked: 3990, failed: 2, consumed: 3980, duplicated: 0 },
  snapshot: () =>
    ({ latency: { publish: summary, endToEnd: { ...summary, count: 0 } } }) as unknown as CollectedMetrics,
} as unknown as LoadProgress;

/** Every sample line of the exposition: name{labels} value. */
const SAMPLE = /^[a-z_][a-z0-9_]*\{(?:[a-zA-Z_]+="(?:[^"\\]|\\.)*",?)*\} -?[\d.e+-]+$/;

test('the live exposition: counts, rates, latency quantiles, faults in force and resource use, well formed', () => {
  const live = new LiveMetrics();
  let listener: ((record: FaultRecord) => void) | undefined;
  live.started('main', { faults: { listen: (l) => (listener = l) } });
  live.load('main', progress);
  listener!({ id: 'kill-1', action: 'kill', target: 'broker(1)', injectedAt: 1000, healedAt: null } as FaultRecord);
  listener!({ id: 'cut "a"', action: 'partition', target: 'link', injectedAt: 500, healedAt: 900 } as FaultRecord);
  live.resources(
    'main',
    {
      tMs: 4000,
      ms: 1000,
      atMs: 0,
      processes: { 'main/broker-1': { cpu: 0.4, rssBytes: 5e8, readBytes: 0, writeBytes: 10 } },
    },
    new Map([['main/broker-1', { kind: 'broker', cpuSeconds: 1.5, readBytes: 0, writeBytes: 4096, rssBytes: 5e8 }]]),
  );
  const text = live.render();
  for (const line of text.trim().split('\n'))
    assert.ok(line.startsWith('# HELP ') || line.startsWith('# TYPE ') || SAMPLE.test(line), `malformed: ${line}`);
  assert.match(text, /^faultline_messages_acked_total\{cluster="main"\} 3990$/m);
  assert.match(text, /^faultline_produced_messages_per_second\{cluster="main"\} 990$/m);
  assert.match(text, /^faultline_latency_ms\{cluster="main",kind="publish",quantile="0.99"\} 5$/m);
  assert.doesNotMatch(text, /kind="endToEnd",quantile/, 'no sample: no figure, never 0 ms');
  assert.match(
    text,
    /^faultline_fault_in_force\{cluster="main",fault="kill-1",action="kill",target="broker\(1\)"\} 1$/m,
  );
  assert.match(text, /^faultline_fault_in_force\{cluster="main",fault="cut \\"a\\"",.*\} 0$/m);
  assert.match(text, /^faultline_process_cpu_cores\{cluster="main",process="main\/broker-1",kind="broker"\} 0.4$/m);
  assert.match(text, /^faultline_process_cpu_seconds_total\{.*\} 1.5$/m);
  assert.equal(text.match(/^# TYPE faultline_latency_ms /gm)?.length, 1, 'each family declared once');
});

test('the endpoint: /metrics on loopback; anything else 404; a port in use is one infrastructure error', async () => {
  const first = await startMetricsServer(0, () => 'faultline_up 1\n');
  try {
    assert.match(first.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const response = await fetch(first.url);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
    assert.equal(await response.text(), 'faultline_up 1\n');
    assert.equal((await fetch(first.url.replace('/metrics', '/'))).status, 404);
    const port = Number(new URL(first.url).port);
    await assert.rejects(
      startMetricsServer(port, () => ''),
      (error: unknown) =>
        error instanceof InfrastructureError &&
        error.message === `--metrics-port ${port}: port ${port} on 127.0.0.1 is already in use`,
    );
  } finally {
    await first.close();
  }
});

test('the Grafana dashboard (dashboards/faultline.json) reads only series the endpoint serves', async () => {
  const { readFileSync } = await import('node:fs');
  const { packageRoot } = await import('../../src/package-root.js');
  const dashboard = JSON.parse(readFileSync(`${packageRoot}/dashboards/faultline.json`, 'utf8')) as {
    panels: Array<{ targets: Array<{ expr: string }> }>;
    templating: { list: Array<{ query: unknown }> };
  };
  const live = new LiveMetrics();
  let listener: ((record: FaultRecord) => void) | undefined;
  const lag = { ...summary };
  live.started('main', {
    faults: { listen: (l) => (listener = l) },
    replication: () =>
      [{ from: 'a', to: 'b', lag, messages: { replicated: 5, notReplicated: 1 } }] as unknown as ReturnType<
        NonNullable<Parameters<LiveMetrics['started']>[1]['replication']>
      >,
  });
  live.load('main', progress);
  listener!({ id: 'f', action: 'latency', target: 'all', injectedAt: 1, healedAt: null } as FaultRecord);
  live.resources(
    'main',
    { tMs: 1000, ms: 1000, atMs: 0, processes: { harness: { cpu: 0.1, rssBytes: 1, readBytes: 0, writeBytes: 0 } } },
    new Map([['harness', { kind: 'harness', cpuSeconds: 0.1, readBytes: 0, writeBytes: 0, rssBytes: 1 }]]),
  );
  const served = new Set([...live.render().matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
  const read = JSON.stringify([dashboard.panels.map((p) => p.targets), dashboard.templating.list]).match(
    /faultline_[a-z0-9_]+/g,
  )!;
  assert.ok(read.length > 10);
  for (const name of new Set(read)) assert.ok(served.has(name), `${name} is served`);
});
