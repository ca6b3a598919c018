/** Shared test helpers: run the real CLI, write scenario files, and check for processes left behind. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach } from 'node:test';

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
