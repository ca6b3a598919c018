/**
 * Starts the 3-broker Kafka cluster with every link through Toxiproxy (the layout network faults use) again and
 * again, as a run does: Toxiproxy, proxies, brokers, topic creation, a consumer group subscribing and a producer
 * sending right after the topic exists. Each start-up must succeed; prints the time of each and the ports used.
 *
 *   flock /tmp/faultline-brokers.lock node dist/bench/startup-loop.js [--times 10] [--brokers 3]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ephemeralPortRange } from '../src/cluster/free-ports.js';
import { localKafkaProvider } from '../src/cluster/kafka/local-kafka.js';
import { ProcessRegistry } from '../src/cluster/process-registry.js';
import type { RunningCluster } from '../src/cluster/provider.js';
import { kafkajsDriver } from '../src/drivers/kafka/kafkajs-driver.js';
import type { MessagingClient } from '../src/drivers/driver.js';
import { ProxiedNetwork } from '../src/net/proxied-network.js';
import { ToxiproxyServer } from '../src/net/toxiproxy-server.js';
import { clusterSchema, topicSchema } from '../src/scenario/schema.js';
import { firstMessage } from './first-message.js';

export interface StartupOutcome {
  ms: number;
  /** Every port the brokers and proxies listen on. */
  ports: number[];
}

/** One start-up of a proxied cluster through to a consumer group and a first acknowledged message; all stopped after. */
export async function proxiedStartup(brokers: number, log: (line: string) => void = () => {}): Promise<StartupOutcome> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'faultline-startup-'));
  const runId = `startup${process.pid}${Date.now()}`;
  const registry = ProcessRegistry.open(runId, dir);
  const controller = new AbortController();
  let toxiproxy: ToxiproxyServer | undefined;
  let cluster: RunningCluster | undefined;
  let client: MessagingClient | undefined;
  try {
    toxiproxy = await ToxiproxyServer.start(registry, join(dir, 'toxiproxy.log'), log);
    const network = ProxiedNetwork.connect(toxiproxy.url);
    const spec = clusterSchema.parse({
      name: 'trio',
      system: 'kafka',
      brokers,
      heap: 512 * 1024 * 1024,
      config: { 'broker.session.timeout.ms': 4000, 'broker.heartbeat.interval.ms': 1000 },
    });
    cluster = await localKafkaProvider.start(spec, {
      runId,
      logDir: join(dir, 'logs'),
      registry,
      signal: controller.signal,
      log,
      info: log,
      network,
      source: 'startup-loop',
    });
    const topic = topicSchema.parse({
      name: 'events',
      partitions: 3,
      replicationFactor: brokers,
      config: { 'min.insync.replicas': Math.min(2, brokers) },
    });
    await firstMessage(kafkajsDriver, cluster.endpoints, topic, `startup-${runId}`, controller.signal, log, (c) => {
      client = c;
    });
    const ports = [...(cluster.links ?? []).flatMap((l) => [l.listenPort, l.upstreamPort])];
    return { ms: Math.round(performance.now() - started), ports };
  } finally {
    await client?.close().catch(() => {});
    await cluster?.stop().catch(() => {});
    await toxiproxy?.stop().catch(() => {});
    registry.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { times: { type: 'string', default: '10' }, brokers: { type: 'string', default: '3' } },
  });
  const times = Number(values.times);
  const ephemeral = ephemeralPortRange();
  let failures = 0;
  for (let i = 1; i <= times; i++) {
    try {
      const outcome = await proxiedStartup(Number(values.brokers));
      const inEphemeral = outcome.ports.filter((p) => p >= ephemeral.first && p <= ephemeral.last);
      process.stdout.write(
        `start-up ${i}/${times}: ok in ${outcome.ms} ms, ports ${Math.min(...outcome.ports)}–${Math.max(...outcome.ports)} (${inEphemeral.length} in the ephemeral range ${ephemeral.first}–${ephemeral.last})\n`,
      );
      if (inEphemeral.length > 0) failures++;
    } catch (error) {
      failures++;
      process.stdout.write(
        `start-up ${i}/${times}: FAILED: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    }
  }
  process.stdout.write(`${times - failures}/${times} start-ups succeeded\n`);
  process.exitCode = failures === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').slice(-2).join('/'))) await main();
