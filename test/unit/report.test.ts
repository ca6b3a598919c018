import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderTemplate } from '../../src/report/markdown-report.js';
import type { RunResult } from '../../src/report/result.js';

const latency = { count: 10, p50: 1, p90: 2, p99: 3, p999: 4, max: 5, mean: 1.5 };
const result = {
  status: 'failed',
  scenario: { name: 'demo', file: 'demo.yaml' },
  workload: {
    warmupMs: 1000,
    durationMs: 60_000,
    drainTimeoutMs: 30_000,
    messageSize: 1024,
    targetRate: 2000,
    topics: [{ name: 't', partitions: 3, replicationFactor: 1 }],
    producers: 1,
    consumers: 1,
  },
  throughput: {
    produced: { messagesPerSec: 1990, bytesPerSec: 1990 * 1024 },
    consumed: { messagesPerSec: 1990, bytesPerSec: 1990 * 1024 },
  },
  latency: { publish: latency, publishUncorrected: latency, endToEnd: latency, sendLag: latency },
  messages: {
    sent: 10,
    acked: 10,
    failed: 0,
    unacked: 0,
    consumed: 10,
    lost: 0,
    duplicated: 0,
    consumedUnacked: 0,
    foreign: 0,
    drained: true,
  },
  criteria: [{ expression: 'latency.publish.p99 < 2ms', actual: 3, threshold: 2, passed: false }],
  timeline: Array.from({ length: 150 }, (_, t) => ({
    t,
    phase: 'measure',
    sent: 1,
    produced: 1,
    consumed: 1,
    publishP99: 1,
    endToEndP99: 2,
    errors: 0,
  })),
  warnings: ['something to know'],
  faults: [
    {
      id: 'f1',
      origin: 'faults[0]',
      action: 'kill',
      target: 'broker-1',
      resolvedTarget: 'broker-1',
      at: 1000,
      injectedAt: 1000,
      healedAt: 5000,
      recovery: {
        firstAckMs: null,
        throughputRecoveredMs: null,
        consumerResumedMs: 900,
        state: { firstAck: 'not-recovered', throughput: 'unmeasured', consumer: 'recovered' },
      },
    },
  ],
} as unknown as RunResult;

test('report template: values, tables, warnings; long timelines are bucketed', () => {
  const text = renderTemplate(
    '# {{scenario.name}} {{status}}\n{{table:criteria}}\n{{list:warnings}}\n{{table:timeline}}\n{{nothing.here}}|',
    result,
  );
  assert.match(text, /^# demo failed/);
  assert.match(text, /\| `latency\.publish\.p99 < 2ms` \| 3 \| ❌ FAIL \|/);
  assert.match(text, /⚠ something to know/);
  const timelineRows = text.split('\n').filter((line) => /^\| \d+–\d+ \|/.test(line));
  assert.equal(timelineRows.length, 50, 'three seconds per row for 150 seconds');
  assert.match(text, /\|$/m);
});

test('report: a fault that never recovered says so; an empty latency shows a dash, not 0', () => {
  const empty = { ...result, latency: { ...result.latency, publish: null } } as unknown as RunResult;
  const text = renderTemplate('{{table:faults}}\n{{table:latency}}', empty);
  assert.match(text, /\| f1 \| kill \| broker-1 \| 1000–5000 \| \*\*never\*\* \| — \(not measurable\) \| 900 \|/);
  assert.match(text, /\| Publish \(corrected\) \| — \| — \|/);
});

test('report: books per consumer group, one row per consumer region; the overall consumed rows say they cover every group', () => {
  const group = {
    consumed: 10,
    lost: 0,
    lostVerified: true,
    notDelivered: null,
    duplicated: 0,
    redelivered: 1,
    duplicatesUnclassified: 0,
    reordered: 0,
    consumedUnacked: 0,
    foundByFinalRead: 0,
    caughtUp: true,
  };
  const withGroups = {
    ...result,
    messages: {
      ...result.messages,
      byGroup: {
        'us-east': group,
        'eu-west': { ...group, consumed: 8, lost: 2, lostVerified: false, caughtUp: false },
      },
    },
  } as unknown as RunResult;
  const text = renderTemplate('{{table:groups}}\n{{table:throughput}}\n{{table:latency}}', withGroups);
  assert.match(text, /### Books per consumer group/);
  assert.match(text, /\| us-east \| 10 \| 0 \| 0 \| 1 \| 0 \| 0 \| yes \|/);
  assert.match(text, /\| eu-west \| 8 \| 2 \(unverified\) \| 0 \| 1 \| 0 \| 0 \| no \|/);
  assert.match(text, /\| Consumed \(all 2 groups\) \|/);
  assert.match(text, /\| End-to-end \(all 2 groups\) \|/);
  assert.equal(renderTemplate('{{table:groups}}', result), '', 'no regions: no table');
});
