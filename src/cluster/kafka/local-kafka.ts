/**
 * The embedded default: a KRaft Kafka cluster of `brokers` combined broker+controller JVMs on free 127.0.0.1
 * ports, built from the official jars on Maven Central. Data lives in a temporary directory removed at the end;
 * configs and broker logs go into the run's log directory.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkajsDriver } from '../../drivers/kafka/kafkajs-driver.js';
import type { ClusterSpec } from '../../scenario/schema.js';
import { freePorts } from '../free-ports.js';
import { heapFlags, JvmProcess, runJvmTool } from '../jvm-process.js';
import { ensureClasspath } from '../maven-artifacts.js';
import { waitUntilServing } from '../readiness.js';
import type { BrokerHandle, ClusterProvider, ProviderContext, RunningCluster } from '../provider.js';
import { requireTool } from '../toolchain.js';
import { DEFAULT_KAFKA_VERSION, kafkaArtifacts, writeLoggingConfig } from './kafka-distribution.js';
import { renderProperties } from '../properties-file.js';
import { kafkaClusterId, kafkaNodeProperties, type KafkaNodePorts } from './kafka-node-config.js';

const READY_TIMEOUT_MS = 120_000;

export function kafkaClasspath(version: string, log: (line: string) => void) {
  return ensureClasspath(`kafka-${version}`, kafkaArtifacts(version), log);
}

class LocalKafkaCluster implements RunningCluster {
  constructor(
    readonly spec: ClusterSpec,
    readonly version: string,
    readonly brokers: BrokerHandle[],
    private readonly processes: JvmProcess[],
    private readonly dataDir: string,
  ) {}

  get endpoints() {
    return { bootstrap: this.brokers.map((b) => `${b.host}:${b.port}`).join(',') };
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

export const localKafkaProvider: ClusterProvider = {
  name: 'local',
  system: 'kafka',
  defaultVersion: DEFAULT_KAFKA_VERSION,

  async prepare(version, log) {
    requireTool('java');
    await kafkaClasspath(version, log);
  },

  async start(spec: ClusterSpec, context: ProviderContext): Promise<RunningCluster> {
    requireTool('java');
    const version = spec.version ?? DEFAULT_KAFKA_VERSION;
    const classpath = await kafkaClasspath(version, context.info);
    const dataDir = await mkdtemp(join(tmpdir(), `faultline-${context.runId}-${spec.name}-`));
    context.registry.addCleanupDir(dataDir);
    const ports = await freePorts(spec.brokers * 2);
    const allPorts: KafkaNodePorts[] = Array.from({ length: spec.brokers }, (_, i) => ({ client: ports[2 * i]!, controller: ports[2 * i + 1]! }));
    const clusterId = kafkaClusterId();
    const processes: JvmProcess[] = [];
    const cluster = new LocalKafkaCluster(
      spec,
      version,
      allPorts.map((p, i) => ({ id: i + 1, host: '127.0.0.1', port: p.client })),
      processes,
      dataDir,
    );
    try {
      await mkdir(context.logDir, { recursive: true });
      const configs = await Promise.all(
        allPorts.map(async (nodePorts, i) => {
          const nodeId = i + 1;
          const nodeName = `${spec.name}-broker-${nodeId}`;
          const configDir = join(context.logDir, nodeName);
          await mkdir(configDir, { recursive: true });
          const properties = kafkaNodeProperties({ nodeId, ports: nodePorts, allPorts, logDir: join(dataDir, `node-${nodeId}`), overrides: spec.config });
          const propertiesFile = join(configDir, 'server.properties');
          await writeFile(propertiesFile, renderProperties(properties));
          const logging = await writeLoggingConfig(version, configDir, join(context.logDir, `${nodeName}.log`));
          return { nodeId, nodeName, propertiesFile, logging, output: join(context.logDir, `${nodeName}.out`) };
        }),
      );
      await Promise.all(
        configs.map((c) =>
          runJvmTool({
            name: `${c.nodeName} storage format`,
            classpath: classpath.spec,
            mainClass: 'kafka.tools.StorageTool',
            args: ['format', '-t', clusterId, '-c', c.propertiesFile, '--ignore-formatted'],
            jvmArgs: ['-Xmx256m', c.logging],
            outputFile: c.output,
            registry: context.registry,
          }),
        ),
      );
      for (const c of configs) {
        const broker = JvmProcess.start({
          name: c.nodeName,
          classpath: classpath.spec,
          mainClass: 'kafka.Kafka',
          args: [c.propertiesFile],
          jvmArgs: [...heapFlags(spec.heap), '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true', c.logging],
          outputFile: c.output,
          registry: context.registry,
        });
        processes.push(broker);
        cluster.brokers[c.nodeId - 1]!.pid = broker.pid;
      }
      context.info(`starting Kafka ${version}: ${spec.brokers} broker(s) at ${cluster.endpoints.bootstrap}`);
      await waitUntilServing(kafkajsDriver.createAdmin(cluster.endpoints, context.log), processes, spec.brokers, READY_TIMEOUT_MS, context.signal);
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  },
};
