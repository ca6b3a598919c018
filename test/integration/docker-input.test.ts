/**
 * provider: docker, what cannot run ends the run with exit 3 and one line: no container runtime (and how to start
 * one), an image: that is not on the machine, and a broker container that exits during start-up (its reason from
 * the log, the container's image and the scenario line of the cluster) — with no container of the run left.
 * (Exit 2 for docker-only fields and impossible caps: test/unit/container-fields.test.ts.)
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { containersUnavailable, ownedContainers } from '../docker-helpers.js';
import { collect, startCli, tempDir, writeScenario } from '../helpers.js';

let skip: string | undefined;
before(async () => {
  skip = await containersUnavailable();
  if (skip) console.log(`# skipped: ${skip}`);
});

const solo = (extra = '') => `name: docker-input
clusters:
  - name: main
    system: kafka
    provider: docker
    heap: 384MiB
${extra}topics:
  - {name: t, partitions: 1}
workload: {warmup: 0s, duration: 2s, rate: 10/s}
`;

const regexpText = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Runs the scenario; asserts exit 3 and returns its ERROR line (one line, no stack). */
async function errorLine(
  yaml: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ line: string; pid: number; file: string }> {
  const file = writeScenario(yaml);
  const child = startCli(['run', file, '--out', tempDir()], env);
  const run = await collect(child, 180_000);
  assert.equal(run.code, 3, run.stderr + run.stdout);
  const line = run.stdout.split('\n').find((l) => l.includes('ERROR'));
  assert.ok(line, run.stdout);
  assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at /, 'no stack');
  return { line, pid: child.pid!, file };
}

test('no container runtime: exit 3 in one line saying how to start one', async () => {
  const { line } = await errorLine(solo(), { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
  assert.match(
    line,
    /ERROR — no container runtime answers \(docker version failed: .*\/nonexistent\/docker\.sock.*\): start one with `sudo scripts\/containers\.sh`.*or point DOCKER_HOST at a running daemon$/,
  );
});

test('an image: not on this machine: exit 3 in one line naming it and the scenario line', async (t) => {
  if (skip) return t.skip(skip);
  const { line, pid, file } = await errorLine(solo('    image: example.invalid/nothing:1\n'));
  assert.match(
    line,
    new RegExp(
      `ERROR — cluster "main" \\(${regexpText(file)}:3\\): image example\\.invalid/nothing:1 .*is not on this machine and could not be pulled: `,
    ),
  );
  assert.deepEqual(ownedContainers(pid), []);
});

test('a broker container that exits during start-up: exit 3 in one line with its reason, image and scenario line', async (t) => {
  if (skip) return t.skip(skip);
  // Accepted by the config check (a class name is a plain string to KafkaConfig), fatal to the broker.
  const { line, pid, file } = await errorLine(
    solo('    config: {authorizer.class.name: org.example.NoSuchAuthorizer}\n'),
  );
  assert.match(line, new RegExp(`ERROR — cluster "main" \\(${regexpText(file)}:3\\): .*main-broker-1`));
  assert.match(line, /ClassNotFoundException: org\.example\.NoSuchAuthorizer/);
  assert.match(line, /faultline\/kafka:/, `the image it ran: ${line}`);
  assert.deepEqual(ownedContainers(pid), [], 'the exited container was removed');
});
