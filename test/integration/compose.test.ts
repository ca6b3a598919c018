/**
 * compose/ on real containers: each compose file comes up under a project of its own (`docker-compose -p … up -d`,
 * waited on its healthchecks), passes its scenario in scenarios/ (provider: external) and goes down (`down -v`),
 * also when something fails. The MirrorMaker 2 pair also shows that the compose file's own MirrorMaker 2 copied
 * every message the run acknowledged on east to west, and that faultline measured that copy (replicator: external). Images: the locally built tags, as
 * `faultline images build --print-env` prints them (the documented way to feed the compose files).
 */
import assert from 'node:assert/strict';
import { execFile as execFileCallback, execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { before, test } from 'node:test';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { containersUnavailable } from '../docker-helpers.js';
import { collect, readResult, runCli, startCli, tempDir } from '../helpers.js';

const execFile = promisify(execFileCallback);
const repoRoot = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..', '..');
const HEALTHY_TIMEOUT_MS = 180_000;

let skip: string | undefined;
let imageEnv: Record<string, string> = {};
before(async () => {
  skip = await containersUnavailable();
  if (!skip) {
    try {
      execFileSync('docker-compose', ['version'], { stdio: 'ignore' });
    } catch {
      skip = 'no docker-compose on PATH (sudo scripts/containers.sh installs it)';
    }
  }
  if (skip) {
    console.log(`# skipped: ${skip}`);
    return;
  }
  const printed = await runCli(['images', 'build', '--print-env'], { timeoutMs: 600_000 });
  assert.equal(printed.code, 0, printed.stderr);
  imageEnv = Object.fromEntries(
    printed.stdout
      .trim()
      .split('\n')
      .map((line) => line.split('=') as [string, string]),
  );
  assert.deepEqual(Object.keys(imageEnv).sort(), ['FAULTLINE_KAFKA_IMAGE', 'FAULTLINE_PULSAR_IMAGE']);
});

/** One compose project: up, healthy, `body`, and always down -v. Returns how long up and down took. */
async function withCompose(file: string, body: () => Promise<void>): Promise<void> {
  const project = `faultline-compose-${process.pid}-${file.replace(/\W/g, '')}`;
  const compose = (...args: string[]) =>
    execFile('docker-compose', ['-p', project, '-f', resolve(repoRoot, 'compose', file), ...args], {
      env: { ...process.env, ...imageEnv },
      timeout: 120_000,
    });
  const started = performance.now();
  try {
    await compose('up', '-d');
    await waitHealthy(compose);
    console.log(`${file}: healthy ${((performance.now() - started) / 1000).toFixed(1)} s after up`);
    await body();
  } finally {
    const down = performance.now();
    await compose('down', '-v', '-t', '20');
    console.log(`${file}: down -v in ${((performance.now() - down) / 1000).toFixed(1)} s`);
    const { stdout } = await execFile('docker', [
      'ps',
      '-aq',
      '--filter',
      `label=com.docker.compose.project=${project}`,
    ]);
    assert.equal(stdout.trim(), '', `no container of ${project} is left`);
  }
}

/** Until every container of the project is healthy (bounded); a container that stops fails at once, with its log. */
async function waitHealthy(compose: (...args: string[]) => Promise<{ stdout: string }>): Promise<void> {
  const deadline = Date.now() + HEALTHY_TIMEOUT_MS;
  for (;;) {
    const ids = (await compose('ps', '-q')).stdout.split('\n').filter((id) => id.length > 0);
    const { stdout } = await execFile('docker', [
      'inspect',
      '--format',
      '{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}',
      ...ids,
    ]);
    const states = stdout.trim().split('\n');
    const stopped = states.find((s) => !/ running /.test(s));
    if (stopped) {
      const logs = (await compose('logs', '--no-color', '--tail', '20')).stdout;
      throw new Error(`container stopped before it was healthy: ${stopped}\n${logs}`);
    }
    if (ids.length > 0 && states.every((s) => s.endsWith(' healthy'))) return;
    if (Date.now() > deadline) throw new Error(`not healthy within ${HEALTHY_TIMEOUT_MS} ms: ${states.join('; ')}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function runScenario(name: string): Promise<Record<string, any>> {
  const out = tempDir();
  const started = performance.now();
  const run = await collect(startCli(['run', resolve(repoRoot, 'scenarios', name), '--out', out, '--quiet']), 180_000);
  assert.equal(run.code, 0, run.stderr + run.stdout);
  console.log(`${name}: faultline run in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const r = readResult(out);
  assert.equal(r.status, 'passed', r.statusReason);
  assert.equal(r.cluster.provider, 'external');
  assert.ok(r.messages.acked > 0, 'messages were acknowledged');
  assert.equal(r.messages.lost, 0);
  return r;
}

test('compose/kafka-3.yml comes up healthy, passes scenarios/compose-kafka-3.yaml, goes down', async (t) => {
  if (skip) return t.skip(skip);
  await withCompose('kafka-3.yml', async () => {
    const r = await runScenario('compose-kafka-3.yaml');
    assert.equal(r.cluster.brokers, 3);
  });
});

test('compose/pulsar.yml comes up healthy, passes scenarios/compose-pulsar.yaml, goes down', async (t) => {
  if (skip) return t.skip(skip);
  await withCompose('pulsar.yml', async () => {
    await runScenario('compose-pulsar.yaml');
  });
});

test('compose/kafka-mm2.yml comes up healthy, passes its scenario on east, and its MirrorMaker 2 copies every acknowledged message to west, measured (replicator: external)', async (t) => {
  if (skip) return t.skip(skip);
  await withCompose('kafka-mm2.yml', async () => {
    const r = await runScenario('compose-kafka-mm2.yaml');
    // replicator: external — faultline started no MirrorMaker 2 and measured the compose file's.
    const rep = r.replication;
    assert.equal(rep.replicated, r.messages.acked, 'every acknowledged message seen on west');
    assert.equal(rep.notReplicated, 0);
    assert.equal(rep.lagUnmeasured, 0, "every copy carried east's append time");
    assert.ok(rep.lag.p50 > 0 && rep.lag.p50 <= rep.lag.p99 && rep.lag.p99 < 10_000, JSON.stringify(rep.lag));
    console.log(`compose-kafka-mm2.yaml: the compose MirrorMaker 2's lag p50 ${rep.lag.p50} ms, p99 ${rep.lag.p99} ms`);
    // A fresh project: east's topic holds this run's messages only; west must reach east's end, then hold them all.
    const east = await topicEnd('127.0.0.1:62291', 'compose-orders');
    const deadline = Date.now() + 60_000;
    while ((await topicEnd('127.0.0.1:62292', 'compose-orders').catch(() => 0)) < east) {
      if (Date.now() > deadline) throw new Error(`west did not reach east's ${east} messages within 60 s`);
      await new Promise((done) => setTimeout(done, 500));
    }
    const copied = await distinctIds('127.0.0.1:62292', 'compose-orders');
    console.log(
      `compose-kafka-mm2.yaml: west holds ${copied} distinct messages, east acknowledged ${r.messages.acked}`,
    );
    assert.ok(
      copied >= r.messages.acked,
      `west holds ${copied} distinct messages, east acknowledged ${r.messages.acked}`,
    );
  });
});

/** The sum of a topic's high watermarks. */
async function topicEnd(bootstrap: string, topic: string): Promise<number> {
  const admin = new Kafka({ clientId: 'compose-test', brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** How many distinct faultline messages (producer:sequence) a topic holds, read from the beginning to its end. */
async function distinctIds(bootstrap: string, topic: string): Promise<number> {
  const end = await topicEnd(bootstrap, topic);
  const kafka = new Kafka({ clientId: 'compose-test', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `compose-test-${process.pid}-${Date.now()}` });
  const ids = new Set<string>();
  let read = 0;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        read += 1;
        const v = message.value!;
        if (v.length >= 20 && v.readUInt32BE(0) === 0x464c5431) ids.add(`${v.readUInt32BE(12)}:${v.readUInt32BE(16)}`);
      },
    });
    const deadline = Date.now() + 30_000;
    while (read < end) {
      if (Date.now() > deadline) throw new Error(`read ${read} of ${end} messages of ${topic} within 30 s`);
      await new Promise((done) => setTimeout(done, 200));
    }
    return ids.size;
  } finally {
    await consumer.disconnect().catch(() => {});
  }
}
