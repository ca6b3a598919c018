/**
 * Start-up to first message, in a container vs as a local JVM: for a 1-broker Kafka, a 3-broker Kafka (kafka3) and a
 * Pulsar standalone, the
 * time from asking the provider to start the cluster until a first message sent after the topic exists has been
 * consumed (topic creation, a consumer subscribing, a producer sending: what a run does first). Providers
 * alternate (local, docker, local, …) so both see the same machine; the medians and their ratio are printed.
 *
 *   flock /tmp/faultline-brokers.lock node dist/bench/container-start.js [--times 3] [--systems kafka,kafka3,pulsar]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ProcessRegistry } from '../src/cluster/process-registry.js';
import type { RunningCluster } from '../src/cluster/provider.js';
import { driversFor, findProvider } from '../src/systems/systems.js';
import type { DriverFactory, MessagingClient } from '../src/drivers/driver.js';
import { clusterSchema, topicSchema } from '../src/scenario/schema.js';
import { firstMessage } from './first-message.js';

type System = 'kafka' | 'pulsar';
type ProviderName = 'local' | 'docker';

async function firstDriver(system: System): Promise<DriverFactory> {
  for (const driver of driversFor(system)) if ((await driver.unavailableReason()) === undefined) return driver;
  throw new Error(`no ${system} driver can run here`);
}

/** One start of a cluster through to a first consumed message; everything stopped after. Milliseconds. */
export async function startToFirstMessage(system: System, providerName: ProviderName, brokers = 1): Promise<number> {
  const provider = findProvider(system, providerName);
  if (!provider) throw new Error(`provider ${providerName} is not available for ${system}`);
  const driver = await firstDriver(system);
  const dir = mkdtempSync(join(tmpdir(), 'faultline-container-start-'));
  const runId = `cstart${process.pid}${Date.now()}`;
  const registry = ProcessRegistry.open(runId, dir);
  const controller = new AbortController();
  const log = () => {};
  let cluster: RunningCluster | undefined;
  let client: MessagingClient | undefined;
  const started = performance.now();
  try {
    const spec = clusterSchema.parse({ name: 'solo', system, provider: providerName, brokers, heap: 512 * 2 ** 20 });
    cluster = await provider.start(spec, {
      runId,
      logDir: join(dir, 'logs'),
      registry,
      signal: controller.signal,
      log,
      info: log,
      source: 'container-start bench',
    });
    const topic = topicSchema.parse({ name: 'first', partitions: 1 });
    await firstMessage(driver, cluster.endpoints, topic, `first-${runId}`, controller.signal, log, (c) => {
      client = c;
    });
    return performance.now() - started;
  } finally {
    await client?.close().catch(() => {});
    await cluster?.stop().catch(() => {});
    registry.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { times: { type: 'string', default: '3' }, systems: { type: 'string', default: 'kafka,kafka3,pulsar' } },
  });
  const times = Number(values.times);
  for (const variant of values.systems!.split(',')) {
    // kafka3: a 3-broker Kafka (KRaft quorum of three), the other names one broker of that system.
    const system = (variant === 'kafka3' ? 'kafka' : variant) as System;
    const brokers = variant === 'kafka3' ? 3 : 1;
    const figures: Record<ProviderName, number[]> = { local: [], docker: [] };
    for (let i = 1; i <= times; i++) {
      for (const provider of ['local', 'docker'] as const) {
        const ms = await startToFirstMessage(system, provider, brokers);
        figures[provider].push(ms);
        process.stdout.write(`${variant} ${provider} ${i}/${times}: start → first message ${Math.round(ms)} ms\n`);
      }
    }
    const local = median(figures.local);
    const docker = median(figures.docker);
    process.stdout.write(
      `${variant}: median local ${Math.round(local)} ms, docker ${Math.round(docker)} ms, ratio docker/local ${(docker / local).toFixed(2)}× (goal ≤ 1.2×)\n`,
    );
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').slice(-2).join('/'))) await main();
