import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CriterionSyntaxError, judge, metricValue, parseCriterion } from '../../src/criteria/criterion.js';

test('criteria read like k6 thresholds, with units', () => {
  assert.deepEqual(parseCriterion('latency.publish.p99 < 200ms'), {
    expression: 'latency.publish.p99 < 200ms',
    metric: 'latency.publish.p99',
    comparison: '<',
    threshold: 200,
  });
  assert.equal(parseCriterion('latency.endToEnd.max <= 1.5s').threshold, 1500);
  assert.equal(parseCriterion('throughput.produced.messagesPerSec >= 5k').threshold, 5000);
  assert.equal(parseCriterion('throughput.produced.bytesPerSec >= 1MiB/s').threshold, 1024 * 1024);
  assert.equal(parseCriterion('messages.lost == 0').threshold, 0);
  assert.throws(() => parseCriterion('messages.lost = 0'), CriterionSyntaxError);
  assert.throws(
    () => parseCriterion('latency.publish.p98 < 1ms'),
    /did you mean "latency\.publish\.p99"|did you mean "latency\.publish\.p90"/,
  );
});

test('judging: comparison, and a metric the run did not measure fails', () => {
  const result = { latency: { publish: { p99: 12.5 } }, messages: { lost: null } };
  assert.equal(
    judge(parseCriterion('latency.publish.p99 < 200ms'), metricValue(result, 'latency.publish.p99')).passed,
    true,
  );
  assert.equal(
    judge(parseCriterion('latency.publish.p99 < 10ms'), metricValue(result, 'latency.publish.p99')).passed,
    false,
  );
  const unmeasured = judge(parseCriterion('messages.lost == 0'), metricValue(result, 'messages.lost'));
  assert.equal(unmeasured.passed, false);
  assert.equal(unmeasured.actual, null);
  assert.match(unmeasured.note ?? '', /not measured/);
});

test('the harness’s own cost is a criterion: CPU µs per message a plain number, read from result.json `harness`', () => {
  const criterion = parseCriterion('harness.cpuMicrosPerMessage < 100');
  assert.deepEqual(criterion, {
    expression: 'harness.cpuMicrosPerMessage < 100',
    metric: 'harness.cpuMicrosPerMessage',
    comparison: '<',
    threshold: 100,
  });
  assert.equal(parseCriterion('harness.rssMaxBytes < 512MiB').threshold, 512 * 1024 ** 2);
  const result = { harness: { cpuMicrosPerMessage: 41.5, cores: { mean: 0.4, max: 0.6 } } };
  assert.equal(judge(criterion, metricValue(result, 'harness.cpuMicrosPerMessage')).passed, true);
  assert.equal(
    judge(parseCriterion('harness.cores.max < 0.5'), metricValue(result, 'harness.cores.max')).passed,
    false,
  );
  // Not sampled (no harness section), or no message produced (null): not measured, so it fails and says why.
  const unmeasured = judge(criterion, metricValue({}, 'harness.cpuMicrosPerMessage'));
  assert.equal(unmeasured.passed, false);
  assert.match(unmeasured.note ?? '', /not measured/);
  assert.equal(
    judge(criterion, metricValue({ harness: { cpuMicrosPerMessage: null } }, 'harness.cpuMicrosPerMessage')).passed,
    false,
  );
});

test('an unknown harness field is refused, naming the nearest one', () => {
  assert.throws(
    () => parseCriterion('harness.cpuMicrosPerMsg < 100'),
    (error: Error) =>
      error instanceof CriterionSyntaxError &&
      /unknown metric "harness\.cpuMicrosPerMsg".*did you mean "harness\.cpuMicrosPerMessage"/.test(error.message),
  );
  assert.throws(() => parseCriterion('harness.busy == 1'), /unknown metric "harness\.busy"/);
  assert.throws(() => parseCriterion('harness.cpuMicrosPerMessage < 100us'), /needs a number, got "100us"/);
});
