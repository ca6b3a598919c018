import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ciSummary } from '../../src/report/ci-summary.js';
import { fixtureResult } from './report-fixtures.js';

test('a CI job summary: the verdict in the heading, key figures, every criterion, where the reports are', () => {
  const text = ciSummary(fixtureResult('kafka-pause'), '/results/run');
  assert.match(text, /^### ❌ fixture-kafka-pause on main \(kafka [\d.]+\): FAILED\n/);
  assert.match(text, /\| Publish latency p50 \/ p99 \/ max \(ms\) \| [\d.]+ \/ [\d.]+ \/ [\d.]+ \|/);
  assert.match(text, /\| `latency.publish.p99 < 100ms` \| [\d.]+ \| ❌ FAIL \|/);
  assert.match(text, /\| `messages.lost == 0` \| 0 \| ✅ pass \|/);
  assert.match(text, /Reports: `\/results\/run`/);
});

test('a run that did not complete says so under its heading; replication and failover figures when present', () => {
  assert.match(
    ciSummary(fixtureResult('kafka-interrupted'), '/r'),
    /^### ⚠️ .*INTERRUPTED\n\n> ⚠ \*\*This run was interrupted/,
  );
  const pair = ciSummary(fixtureResult('failover-pairs/pulsar-east'), '/r');
  assert.match(pair, /Replication lag p50 \/ p99 \/ max \(ms\)/);
  assert.match(pair, /RTO produce \/ consume \(ms\) \| \d+ \/ /);
});
