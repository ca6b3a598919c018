/**
 * Infrastructure failures of the container runtime, each one line (exit 3): a build step that fails says which and
 * ends with its last output lines; a docker command that is missing or fails says so and how to start a runtime.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { docker, requireDaemon, runLogged, START_RUNTIME_HINT } from '../../src/cluster/docker/docker-cli.js';
import { InfrastructureError } from '../../src/errors.js';

const oneLine = (pattern: RegExp) => (error: Error) =>
  error instanceof InfrastructureError &&
  error.exitCode === 3 &&
  pattern.test(error.message) &&
  !error.message.includes('\n');

test('an image that cannot be built: the step, its exit code and its last output lines, in one line', async () => {
  const logged: string[] = [];
  await assert.rejects(
    runLogged('bash', ['-c', 'echo Step 1/3; echo "E: Unable to locate package openjdk-17" >&2; exit 100'], {
      log: (line) => logged.push(line),
      timeoutMs: 10_000,
      what: 'building faultline/kafka:4.1.1',
    }),
    oneLine(
      /^building faultline\/kafka:4\.1\.1 failed \(exit 100\): Step 1\/3 \| E: Unable to locate package openjdk-17$/,
    ),
  );
  assert.deepEqual(
    logged,
    ['Step 1/3', 'E: Unable to locate package openjdk-17'],
    'the whole output went to the build log',
  );
  await assert.rejects(
    runLogged('no-such-builder-xyz', [], { log: () => {}, timeoutMs: 10_000, what: 'building the base image' }),
    oneLine(/^building the base image: could not run no-such-builder-xyz: spawn no-such-builder-xyz ENOENT$/),
  );
});

test('no container runtime: no docker command, or no daemon where DOCKER_HOST points — with how to start one', async () => {
  const saved = { path: process.env.PATH, host: process.env.DOCKER_HOST };
  try {
    process.env.PATH = '/nonexistent';
    await assert.rejects(
      docker(['version']),
      oneLine(/^no docker command on PATH: start one with `sudo scripts\/containers\.sh`/),
    );
    await assert.rejects(
      requireDaemon(),
      oneLine(
        new RegExp(`^no container runtime answers \\(no docker command on PATH\\): ${regexpText(START_RUNTIME_HINT)}$`),
      ),
    );
    process.env.PATH = saved.path;
    process.env.DOCKER_HOST = 'unix:///nonexistent/docker.sock';
    await assert.rejects(
      requireDaemon(),
      oneLine(
        /^no container runtime answers \(docker version failed: .*\/nonexistent\/docker\.sock.*\): start one with/,
      ),
    );
  } finally {
    process.env.PATH = saved.path;
    if (saved.host === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved.host;
  }
});

function regexpText(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
