/**
 * provider: docker pulls the official image, on a real registry on loopback (go-containerregistry's `registry`,
 * built by scripts/install-registry.sh). No public registry is reachable here, so the official apache/kafka image
 * itself is never pulled: an image with its layout is built here (FROM faultline's base, the jars in
 * /opt/kafka/libs, java only under JAVA_HOME=/opt/java/openjdk, a non-root USER, no faultline.classpath labels),
 * pushed as <registry>/apache/kafka:4.1.1 and its local tag removed. Then, sharing that registry:
 * - with the mirror prefix set, a 1-broker Kafka run pulls it, runs it (as the host's user, with the image's java)
 *   and meets its rate with 0 lost; the result says `pulled` and the image id;
 * - the image, now on the machine, is used as it is (`present`), also for MirrorMaker 2's artifact set;
 * - with a prefix where the registry has no such image, the run falls back to the local build, says so in one line,
 *   and passes;
 * - `image:` naming an image no registry has: exit 3, one line naming the image and the pull error;
 * - a registry that never answers costs at most the pull's time bound.
 * Everything started here (the registry, a silent listener, the images tagged here) is stopped or removed after.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { linkSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { cacheDir } from '../../src/cluster/cache.js';
import { resolveImage } from '../../src/cluster/docker/container-image.js';
import { pullImage } from '../../src/cluster/docker/image-pull.js';
import { buildImages } from '../../src/cluster/docker/images-command.js';
import { containersUnavailable, ownedContainers } from '../docker-helpers.js';
import { collect, readResult, startCli, tempDir, writeScenario } from '../helpers.js';

const repoRoot = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..', '..');
const VERSION = '4.1.1';

let skip: string | undefined;
let registry: ChildProcess | undefined;
let registryHost = '';
let officialId = '';
const tagged: string[] = [];

before(async () => {
  skip = await containersUnavailable();
  if (!skip) skip = registryBinaryMissing();
  if (skip) return void console.log(`# skipped: ${skip}`);
  const binary = cacheDir('tools', 'registry-v0.22.1', 'registry');
  registryHost = `127.0.0.1:${await startRegistry(binary)}`;
  const image = `${registryHost}/apache/kafka:${VERSION}`;
  tagged.push(image);
  officialId = await buildOfficialLayout(image);
  docker(['push', '--quiet', image], 120_000);
  docker(['rmi', image]);
});

after(() => {
  registry?.kill('SIGKILL');
  for (const image of tagged) {
    try {
      docker(['rmi', '--force', image]);
    } catch {
      /* never built, or already removed */
    }
  }
});

function docker(args: string[], timeout = 60_000): string {
  return execFileSync('docker', args, { encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });
}

function registryBinaryMissing(): string | undefined {
  try {
    execFileSync('bash', [join(repoRoot, 'scripts', 'install-registry.sh')], { stdio: 'inherit', timeout: 300_000 });
    return undefined;
  } catch (error) {
    return `no registry server could be built (scripts/install-registry.sh): ${(error as Error).message.split('\n')[0]}`;
  }
}

/** Starts the in-memory registry on a free loopback port; resolves with the port it logs. */
function startRegistry(binary: string): Promise<number> {
  return new Promise((done, fail) => {
    registry = spawn(binary, ['-port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    const timer = setTimeout(() => fail(new Error(`the registry did not say its port within 10 s: ${log}`)), 10_000);
    registry.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const port = /serving on port (\d+)/.exec(log)?.[1];
      if (port) {
        clearTimeout(timer);
        done(Number(port));
      }
    });
    registry.on('exit', (code) => fail(new Error(`the registry exited (${code}): ${log}`)));
  });
}

/**
 * An image with apache/kafka's layout: the jars in /opt/kafka/libs (the broker's and MirrorMaker 2's, as the
 * distribution has them), java under JAVA_HOME=/opt/java/openjdk (eclipse-temurin's place) and not on PATH, a
 * non-root USER, its own CMD. Built FROM faultline's base (the only Java image here).
 */
async function buildOfficialLayout(tag: string): Promise<string> {
  const [base] = await buildImages([], { info: () => {}, detail: () => {} });
  const env = JSON.parse(docker(['image', 'inspect', '--format', '{{json .Config.Env}}', base!.tag])) as string[];
  const javaHome = env.find((e) => e.startsWith('JAVA_HOME='))!.slice('JAVA_HOME='.length);
  const context = tempDir('faultline-official-layout-');
  mkdirSync(join(context, 'opt', 'java'), { recursive: true });
  symlinkSync(javaHome, join(context, 'opt', 'java', 'openjdk'));
  mkdirSync(join(context, 'libs'));
  for (const set of [`kafka-${VERSION}`, `mm2-${VERSION}`]) {
    const dir = cacheDir('classpaths', set, 'lib');
    for (const jar of readdirSync(dir))
      if (jar.endsWith('.jar'))
        try {
          linkSync(join(dir, jar), join(context, 'libs', jar));
        } catch {
          /* the same jar in both sets */
        }
  }
  writeFileSync(
    join(context, 'Dockerfile'),
    [
      `FROM ${base!.tag}`,
      'COPY opt /opt',
      'COPY libs /opt/kafka/libs',
      'ENV JAVA_HOME=/opt/java/openjdk PATH=/usr/local/bin:/usr/local/sbin',
      'USER 1000:1000',
      'CMD ["/etc/kafka/docker/run"]',
      '',
    ].join('\n'),
  );
  execFileSync('docker', ['build', '--quiet', '--tag', tag, context], {
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  return docker(['image', 'inspect', '--format', '{{.Id}}', tag]).trim();
}

const scenario = (image = '') => `name: image-pull
clusters:
  - {name: k, system: kafka, provider: docker, heap: 512MiB${image ? `, image: "${image}"` : ''}}
topics:
  - {name: t, partitions: 1}
workload: {warmup: 2s, duration: 5s, rate: 200/s, messageSize: 512B, drainTimeout: 15s}
criteria: [messages.lost == 0]
`;

/** A run with only the given pull settings (whatever the environment running the tests says). */
async function run(yaml: string, env: NodeJS.ProcessEnv) {
  const out = tempDir();
  const child = startCli(['run', writeScenario(yaml), '--out', out], {
    FAULTLINE_PULL: '',
    FAULTLINE_PULL_TIMEOUT: '30',
    FAULTLINE_IMAGE_PREFIX: '',
    TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX: '',
    ...env,
  });
  const result = await collect(child, 120_000);
  assert.deepEqual(ownedContainers(child.pid!), [], 'no container of the run is left');
  return { ...result, out };
}

function assertMetRate(r: Record<string, any>, rate: number): void {
  assert.equal(r.status, 'passed', r.statusReason);
  for (const side of ['produced', 'consumed'] as const) {
    const measured = r.throughput[side].messagesPerSec;
    assert.ok(Math.abs(measured - rate) <= rate * 0.05, `${side} ${measured} msg/s`);
  }
  assert.equal(r.messages.acked, r.messages.sent);
  assert.equal(r.messages.lost, 0);
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

const imageLines = (stderr: string) => stderr.split('\n').filter((l) => /^faultline: kafka 4\.1\.1: /.test(l));

test('the official image through a mirror prefix: pulled once, run as the host user with its own java, rate met, 0 lost', async (t) => {
  if (skip) return t.skip(skip);
  const { code, stdout, stderr, out } = await run(scenario(), { FAULTLINE_IMAGE_PREFIX: `${registryHost}/` });
  assert.equal(code, 0, stderr + stdout);
  const image = `${registryHost}/apache/kafka:${VERSION}`;
  assert.equal(imageLines(stderr).length, 1, stderr);
  t.diagnostic(imageLines(stderr)[0]!);
  assert.match(imageLines(stderr)[0]!, new RegExp(`^faultline: kafka 4\\.1\\.1: pulled ${image} in \\d+\\.\\d s$`));
  const r = readResult(out);
  assertMetRate(r, 200);
  assert.deepEqual(r.cluster.containers, [{ broker: 1, image, imageId: officialId, imageSource: 'pulled' }]);
});

test('an official image already on the machine runs as it is (MirrorMaker 2 too): present, its layout and java', async (t) => {
  if (skip) return t.skip(skip);
  const saved = { pull: process.env.FAULTLINE_PULL, prefix: process.env.FAULTLINE_IMAGE_PREFIX };
  Object.assign(process.env, { FAULTLINE_PULL: '', FAULTLINE_IMAGE_PREFIX: `${registryHost}/` });
  try {
    const lines: string[] = [];
    const spec = { name: 'mm2', mainClass: 'x', args: [], jvmArgs: [], classpath: '', outputFile: '/dev/null' };
    const image = await resolveImage({ ...spec, artifacts: `mm2-${VERSION}` }, (line) => lines.push(line));
    assert.deepEqual(image, {
      ref: `${registryHost}/apache/kafka:${VERSION}`,
      id: officialId,
      classpathDirs: { '*': '/opt/kafka/libs' },
      java: '/opt/java/openjdk/bin/java',
      choice: { source: 'present' },
    });
    assert.deepEqual(lines, [`mm2 4.1.1: running ${registryHost}/apache/kafka:${VERSION} (already on this machine)`]);
  } finally {
    restoreEnv('FAULTLINE_PULL', saved.pull);
    restoreEnv('FAULTLINE_IMAGE_PREFIX', saved.prefix);
  }
});

test("no such image behind the prefix (testcontainers' variable): the local build runs, one line says why", async (t) => {
  if (skip) return t.skip(skip);
  const prefix = `${registryHost}/absent/`;
  const { code, stdout, stderr, out } = await run(scenario(), { TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX: prefix });
  assert.equal(code, 0, stderr + stdout);
  const lines = imageLines(stderr);
  assert.equal(lines.length, 1, stderr);
  t.diagnostic(lines[0]!);
  assert.match(
    lines[0]!,
    new RegExp(
      `^faultline: kafka 4\\.1\\.1: ${prefix}apache/kafka:${VERSION} could not be pulled \\(.*not found.*\\); running the local build faultline/kafka:${VERSION}-[0-9a-f]{12}$`,
    ),
  );
  const r = readResult(out);
  assert.equal(r.status, 'passed', r.statusReason);
  assert.equal(r.messages.lost, 0);
  const [container] = r.cluster.containers;
  assert.match(container.image, /^faultline\/kafka:4\.1\.1-[0-9a-f]{12}$/);
  assert.equal(container.imageSource, 'local');
  assert.match(container.imageSourceReason, /could not be pulled \(.*not found/);
});

test('image: naming an image that cannot be pulled: exit 3 in one line naming it and the pull error', async (t) => {
  if (skip) return t.skip(skip);
  const image = `${registryHost}/absent/kafka:9.9.9`;
  const { code, stdout, stderr, out } = await run(scenario(image), {});
  assert.equal(code, 3, stderr + stdout);
  // A run's infrastructure failure is its result: the summary's ERROR line, and the result's status reason.
  const lines = stdout.split('\n').filter((l) => l.includes('could not be pulled'));
  assert.equal(lines.length, 1, stdout);
  const named = `cluster "k" \\(.*scenario\\.yaml:3\\): image ${image} \\(k-broker-1.*\\) is not on this machine and could not be pulled: .*not found: name unknown`;
  assert.match(lines[0]!, new RegExp(`ERROR — ${named}`));
  assert.match(readResult(out).statusReason, new RegExp(named));
  assert.doesNotMatch(stdout + stderr, /^\s+at /m, 'no stack trace');
  assert.doesNotMatch(stdout + stderr, /running the local build/, 'no fallback for a named image');
});

test('a registry that never answers costs at most the time bound', async (t) => {
  if (skip) return t.skip(skip);
  const sockets = new Set<Socket>();
  const silent: Server = createServer((socket) => sockets.add(socket));
  await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
  const port = (silent.address() as { port: number }).port;
  try {
    const started = performance.now();
    await assert.rejects(pullImage(`127.0.0.1:${port}/apache/kafka:${VERSION}`, 1500), /no answer within 1\.5 s/);
    const seconds = (performance.now() - started) / 1000;
    assert.ok(seconds < 5, `the pull took ${seconds.toFixed(1)} s`);
  } finally {
    for (const socket of sockets) socket.destroy();
    silent.close();
  }
});
