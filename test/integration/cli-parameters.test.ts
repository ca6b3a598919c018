// biome-ignore-all lint/suspicious/noTemplateCurlyInString: scenario text holds ${NAME} references on purpose
/**
 * The CLI's parameterized runs and live-view flag on bad input: --set, ${NAME} and --metrics-port, each problem
 * naming the flag or the variable, exit 2 (a port in use: exit 3), one line each, no stack. No broker is started.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { kafkaScenario, runCli, tempDir, writeScenario } from '../helpers.js';

const parameterized = kafkaScenario({ criteria: ['messages.lost == 0'] })
  .replace('duration: 8s', 'duration: ${DURATION}')
  .replace('rate: 1000/s', 'rate: ${RATE:-1000/s}');

test('validate: ${NAME} from the environment and --set overrides make a valid scenario', async () => {
  const file = writeScenario(parameterized);
  const run = await runCli(['validate', file, '--set', 'workload.rate=5000/s', '--set', 'topics[0].partitions=6'], {
    env: { DURATION: '30s' },
  });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^ok: /);
});

test('an undefined ${NAME} without a default: exit 2, the file, line and column, and the variable named', async () => {
  const file = writeScenario(parameterized);
  const run = await runCli(['run', file], { env: { DURATION: '' } });
  assert.equal(run.code, 2);
  assert.equal(
    run.stderr.trim(),
    `${file}:8:13: workload.duration: \${DURATION} is not set in the environment and has no default (write \${DURATION:-default})`,
  );
});

test('--set on an unknown path, with a value of the wrong type, or without "=": exit 2, the flag named', async () => {
  const file = writeScenario(parameterized);
  const env = { DURATION: '5s' };
  const unknown = await runCli(['run', file, '--set', 'workload.ratee=5000/s', '--set', 'workload.producers=two'], {
    env,
  });
  assert.equal(unknown.code, 2);
  const lines = unknown.stderr.trim().split('\n');
  assert.equal(lines.length, 2, unknown.stderr);
  assert.match(
    lines[0]!,
    /^--set workload\.ratee=5000\/s: workload\.ratee: no field "workload\.ratee" \(did you mean "rate"\?\)/,
  );
  assert.equal(lines[1], '--set workload.producers=two: workload.producers: expected number, got string "two"');
  const bare = await runCli(['validate', file, '--set', 'workload.rate'], { env });
  assert.equal(bare.code, 2);
  assert.equal(bare.stderr.trim(), '--set workload.rate: expected path=value, e.g. --set workload.rate=5000/s');
  const typed = await runCli(['run', file], { env: { DURATION: '5s', RATE: 'fast' } });
  assert.equal(typed.code, 2);
  assert.match(typed.stderr.trim(), /:10:9: workload\.rate: expected a rate .*got "fast" \(from \$\{RATE\}="fast"\)$/);
});

test('--metrics-port: a port in use is exit 3 in one line, before any broker starts; a bad port is exit 2', async () => {
  const file = writeScenario(parameterized);
  const out = join(tempDir(), 'out');
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  try {
    const run = await runCli(['run', file, '--out', out, '--metrics-port', String(port)], { env: { DURATION: '5s' } });
    assert.equal(run.code, 3);
    assert.equal(run.stderr.trim(), `--metrics-port ${port}: port ${port} on 127.0.0.1 is already in use`);
    assert.equal(existsSync(join(out, 'logs')), false, 'no cluster was started');
  } finally {
    taken.close();
  }
  const bad = await runCli(['run', file, '--metrics-port', '99999'], { env: { DURATION: '5s' } });
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim(), '--metrics-port: expected a port number from 1 to 65535, got "99999"');
});
