/** Shared test helpers: run the real CLI, write scenario files, and check for processes left behind. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { pulsarWebSocketDriver } from '../src/drivers/pulsar/pulsar-websocket-driver.js';

export const cliPath = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', 'src', 'cli.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function tempDir(prefix = 'faultline-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeScenario(yaml: string, name = 'scenario.yaml'): string {
  const file = join(tempDir(), name);
  writeFileSync(file, yaml);
  return file;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [cliPath, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  const child = startCli(args, options.env);
  return collect(child, options.timeoutMs ?? 180_000);
}

export function collect(child: ChildProcess, timeoutMs: number, onStderr?: (text: string) => void): Promise<CliResult> {
  return new Promise((done, fail) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      onStderr?.(stderr);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`faultline did not finish within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** Processes started by faultline runs (brokers, tools) that are still alive. */
export function faultlineProcesses(): string[] {
  const listing = execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' });
  return listing
    .split('\n')
    .filter((line) => line.includes('faultline.run=') && !/^\s*\d+\s+Z/.test(line))
    .map((line) => line.trim().slice(0, 160));
}

export async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A small scenario against a local single-broker Kafka. */
export function kafkaScenario(
  options: {
    name?: string;
    warmup?: string;
    duration?: string;
    rate?: string;
    criteria?: string[];
    brokers?: number;
    replicationFactor?: number;
    partitions?: number;
  } = {},
): string {
  const criteria = options.criteria ?? [];
  return `name: ${options.name ?? 'it-kafka'}
clusters:
  - {name: main, system: kafka, provider: local, brokers: ${options.brokers ?? 1}}
topics:
  - {name: t, partitions: ${options.partitions ?? 3}, replicationFactor: ${options.replicationFactor ?? 1}}
workload:
  warmup: ${options.warmup ?? '2s'}
  duration: ${options.duration ?? '8s'}
  messageSize: 1KiB
  rate: ${options.rate ?? '1000/s'}
  producers: 2
  consumers: 2
  drainTimeout: 20s
criteria:
${criteria.map((c) => `  - ${c}`).join('\n') || '  []'}
`;
}

/** A small scenario against a local Pulsar standalone. */
export function pulsarScenario(
  options: { driver?: string; duration?: string; rate?: string; partitions?: number; criteria?: string[] } = {},
): string {
  const criteria = options.criteria ?? [];
  return `name: it-pulsar
clusters:
  - {name: pulsar, system: pulsar, provider: local, driver: ${options.driver ?? 'auto'}}
topics:
  - {name: t, partitions: ${options.partitions ?? 3}}
workload:
  warmup: 6s   # the JIT-cold broker and harness catch up here, outside the measured window
  duration: ${options.duration ?? '8s'}
  messageSize: 1KiB
  rate: ${options.rate ?? '1000/s'}
  producers: 2
  consumers: 2
  drainTimeout: 20s
criteria:
${criteria.map((c) => `  - ${c}`).join('\n') || '  []'}
`;
}

/** result.json of a run directory, as loosely typed data for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function readResult(dir: string): Record<string, any> {
  return JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
}

/** After each test of the file: no broker, proxy or tool of a faultline run is left running. */
export function expectNoProcessLeftAfterEach(): void {
  afterEach(async () => {
    await waitFor(
      () => faultlineProcesses().length === 0,
      30_000,
      `no faultline process left (found: ${faultlineProcesses().join('; ')})`,
    );
  });
}

/**
 * The harness's per-message replication books (written when FAULTLINE_REPLICATION_BOOKS names a file): per flow,
 * [producer, sequence, intended ms, acknowledged on the source ms | null, first seen on the target ms | null, …].
 */
export type ReplicationEntry = [number, number, number, number | null, number | null, ...unknown[]];
export interface ReplicationBooks {
  runId: string;
  flows: Array<{ from: string; to: string; messages: ReplicationEntry[] }>;
}

/** This run's messages among `values` (payloads read from a topic), as producer:sequence (copies kept). */
export function payloadIds(values: Buffer[], runId: string): string[] {
  return values
    .filter((v) => v.length >= 20 && v.readUInt32BE(0) === 0x464c5431 && v.subarray(4, 12).toString('hex') === runId)
    .map((v) => `${v.readUInt32BE(12)}:${v.readUInt32BE(16)}`);
}

/**
 * Reads `topic` on the Kafka target `cluster` of a run in `out` from the beginning to its high watermarks, with a
 * kafkajs consumer of the test's own (read committed), through the bootstrap MirrorMaker 2 writes to (the
 * target's own region). Call it once nothing writes there any more: the end is the high watermarks read first.
 */
export async function readKafkaTarget(out: string, cluster: string, topic: string): Promise<Buffer[]> {
  const mm2 = readFileSync(join(out, 'logs', 'mm2', 'mm2.properties'), 'utf8');
  const bootstrap = new RegExp(`^${cluster}\\.bootstrap\\.servers=(.*)$`, 'm').exec(mm2)![1]!;
  const kafka = new Kafka({ clientId: 'faultline-truth-reader', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  // A short long-poll: disconnect waits for the fetch in flight (kafkajs's default maxWaitTime is 5 s).
  const consumer = kafka.consumer({ groupId: `faultline-truth-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 100 });
  const values: Buffer[] = [];
  const next = new Map<number, number>();
  try {
    await admin.connect();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const end = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
    // A batch's last offset counts transaction markers too (exactly-once), which eachMessage never sees.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const after = Number(payload.lastOffset) + 1;
      if (after > (next.get(payload.partition) ?? 0)) next.set(payload.partition, after);
    });
    await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!) });
    await waitFor(
      () => [...end].every(([p, high]) => (next.get(p) ?? 0) >= high || high === 0),
      20_000,
      `the test reader to reach the end of ${topic} on ${cluster}`,
    );
    return values;
  } finally {
    await consumer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Reads `topic` (`partitions` partitions) on the Pulsar standalone `cluster` of a run in `out` from the beginning
 * of each partition to its last entry (WebSocket readers), straight to its own web service, outside the proxies.
 * `requireEnd: false` returns what was read when the end was not reached within `timeoutMs` (a partition whose
 * last entry is a marker — replicated subscriptions write them — is never delivered to a reader): then the caller
 * must check completeness itself (e.g. against the harness's books).
 */
export async function readPulsarTarget(
  out: string,
  cluster: string,
  topic: string,
  partitions: number,
  o: { requireEnd?: boolean; timeoutMs?: number } = {},
): Promise<Buffer[]> {
  const conf = readFileSync(join(out, 'logs', `${cluster}-broker-1`, 'standalone.conf'), 'utf8');
  const port = (key: string) => /^(\d+)$/.exec(new RegExp(`^${key}=(.*)$`, 'm').exec(conf)![1]!)![1]!;
  const client = pulsarWebSocketDriver.createClient({
    endpoints: {
      bootstrap: `pulsar://127.0.0.1:${port('brokerServicePort')}`,
      webServiceUrl: `http://127.0.0.1:${port('webServicePort')}`,
    },
    producerOptions: {},
    consumerOptions: {},
    log: () => {},
    clock: () => performance.now(),
  });
  const values: Buffer[] = [];
  try {
    const complete = await client.finalRead!(
      [{ name: topic, partitions, replicationFactor: 1, config: {} }],
      (value) => values.push(value),
      o.timeoutMs ?? 20_000,
    );
    if (!complete && o.requireEnd !== false)
      throw new Error(`the test reader did not reach the last entry of every partition of ${topic}`);
    return values;
  } finally {
    await client.close();
  }
}
