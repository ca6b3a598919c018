/**
 * A KRaft Kafka cluster of `brokers` combined broker+controller processes on free 127.0.0.1 ports, built from the
 * official jars on Maven Central. Data lives in a temporary directory removed at the end; configs and broker logs
 * go into the run's log directory. With a proxied network, every link goes through Toxiproxy (see
 * kafka-node-config.ts for the layout). The layout is the same wherever the processes run: each broker is a
 * `LaunchSpec` handed to the provider's runtime (`local`, the embedded default: JVMs on this machine).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkajsDriver } from '../../drivers/kafka/kafkajs-driver.js';
import type { ClusterSpec } from '../../scenario/schema.js';
import { freePorts } from '../free-ports.js';
import { clusterStartupError, heapFlags } from '../jvm-process.js';
import { jvmRuntime } from '../jvm-runtime.js';
import { ensureClasspath } from '../maven-artifacts.js';
import { renderProperties } from '../properties-file.js';
import type { ClusterProvider, ProviderContext, RunningCluster } from '../provider.js';
import { waitUntilServing } from '../readiness.js';
import type { LaunchSpec, ProcessControl, Runtime } from '../runtime.js';
import { checkKafkaConfig } from './kafka-config-check.js';
import { DEFAULT_KAFKA_VERSION, kafkaArtifacts, writeLoggingConfig } from './kafka-distribution.js';
import {
  directLayout,
  kafkaClusterId,
  kafkaNodeProperties,
  portsPerNode,
  proxiedLayout,
  proxiedLinkSpecs,
} from './kafka-node-config.js';

const READY_TIMEOUT_MS = 120_000;

/** The artifact set (classpath name) of a Kafka version: what a container runtime picks its image by. */
export function kafkaArtifactSet(version: string): string {
  return `kafka-${version}`;
}

export function kafkaClasspath(version: string, log: (line: string) => void) {
  return ensureClasspath(kafkaArtifactSet(version), kafkaArtifacts(version), log);
}

async function partitionLeader(
  endpoints: { bootstrap: string },
  topic: string,
  partition: number,
  log: (line: string) => void,
): Promise<number | undefined> {
  const admin = kafkajsDriver.createAdmin(endpoints, log);
  try {
    return await admin.leaderOf!(topic, partition);
  } finally {
    await admin.close();
  }
}

/**
 * The KRaft quorum leader (the active controller), from Kafka's own metadata-quorum tool, run as a JVM on this
 * machine for both runtimes. For provider: docker this is equivalent to running it in a broker's container: the
 * tool is only a client of the brokers' DescribeQuorum API, its jars are the very classpath this machine resolved
 * from Maven Central and the image holds a copy of (the same version), and with host networking it reaches the
 * same 127.0.0.1 listeners (through the same proxies) that a container would — the answer is the quorum's, not
 * the client's. Host java is already a prerequisite of the docker provider (Maven resolves those jars), and a
 * container start per lookup would add seconds inside the lookup's time box (the injector looks every 2 s
 * before a heal). An `image:` of another Kafka version is still asked by this version's client, which the
 * protocol's version negotiation covers.
 */
async function quorumLeader(classpath: string, bootstrap: string): Promise<number | undefined> {
  const { stdout } = await promisify(execFile)(
    'java',
    [
      '-Xmx128m',
      '-XX:TieredStopAtLevel=1',
      '-cp',
      classpath,
      'org.apache.kafka.tools.MetadataQuorumCommand',
      '--bootstrap-server',
      bootstrap,
      'describe',
      '--status',
    ],
    { timeout: 30_000 },
  );
  const match = /LeaderId:\s*(\d+)/.exec(stdout);
  return match ? Number(match[1]) : undefined;
}

/** A broker's process: `kafka.Kafka` on its server.properties (the layout's config dir, data dir and log dir). */
export function kafkaBrokerSpec(o: {
  name: string;
  version: string;
  classpath: string;
  propertiesFile: string;
  logging: string;
  heap: number | undefined;
  outputFile: string;
  logFile: string;
  paths: string[];
}): LaunchSpec {
  return {
    name: o.name,
    mainClass: 'kafka.Kafka',
    args: [o.propertiesFile],
    jvmArgs: [...heapFlags(o.heap), '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true', o.logging],
    classpath: o.classpath,
    artifacts: kafkaArtifactSet(o.version),
    outputFile: o.outputFile,
    logFile: o.logFile,
    paths: o.paths,
  };
}

/**
 * How long each broker gets to stop politely when its cluster is stopped (the run is over, or its start failed:
 * nothing a broker does then is measured) before it is killed. Alone, a broker stops in under a second; when every
 * voter of a KRaft quorum stops at once, the last one to lead waits 5 s for voters already gone (KRaft's graceful
 * shutdown), which made every multi-broker teardown 5 s longer. Faults that stop a broker keep their own grace.
 */
const TEARDOWN_GRACE_MS = 2_000;

/** Kafka clusters whose brokers run on `runtime`, registered as provider `name`. */
export function kafkaProvider(o: { name: ClusterProvider['name']; runtime: Runtime }): ClusterProvider {
  const { runtime } = o;
  return {
    name: o.name,
    system: 'kafka',
    defaultVersion: DEFAULT_KAFKA_VERSION,
    runtime,
    controls: { processes: true, links: true },

    async prepare(version, log) {
      await runtime.requireReady();
      await kafkaClasspath(version, log);
    },

    async checkConfig(spec, topics, log) {
      const version = spec.version ?? DEFAULT_KAFKA_VERSION;
      if (Object.keys(spec.config).length === 0 && topics.every((t) => Object.keys(t.config).length === 0)) return [];
      return checkKafkaConfig(version, await kafkaClasspath(version, log), spec, topics);
    },

    async start(spec: ClusterSpec, context: ProviderContext): Promise<RunningCluster> {
      await runtime.requireReady();
      const version = spec.version ?? DEFAULT_KAFKA_VERSION;
      const classpath = await kafkaClasspath(version, context.info);
      const dataDir = await mkdtemp(join(tmpdir(), `faultline-${context.runId}-${spec.name}-`));
      context.registry.addCleanupDir(dataDir);
      const { network, regions } = context;
      const clientRegions = network ? regions?.clientRegions : undefined;
      const ports = await freePorts(
        spec.brokers * portsPerNode(spec.brokers, network !== undefined, clientRegions?.length),
      );
      const links = network ? await network.addLinks(proxiedLinkSpecs(spec.brokers, ports, clientRegions)) : undefined;
      const layout = links
        ? proxiedLayout(spec.brokers, ports, links, clientRegions)
        : directLayout(spec.brokers, ports);
      const clusterId = kafkaClusterId();
      const controls: ProcessControl[] = [];
      const stop = async () => {
        await Promise.all(controls.map((control) => control.stop(TEARDOWN_GRACE_MS)));
        await rm(dataDir, { recursive: true, force: true });
      };
      try {
        await mkdir(context.logDir, { recursive: true });
        const nodes = await Promise.all(
          layout.nodes.map(async (node) => {
            const nodeName = `${spec.name}-broker-${node.nodeId}`;
            const configDir = join(context.logDir, nodeName);
            await mkdir(configDir, { recursive: true });
            const rack: Record<string, string> = regions
              ? { 'broker.rack': regions.brokerRegions[node.nodeId - 1]! }
              : {};
            if (regions && spec.followerFetching)
              rack['replica.selector.class'] = 'org.apache.kafka.common.replica.RackAwareReplicaSelector';
            const nodeDataDir = join(dataDir, `node-${node.nodeId}`);
            await mkdir(nodeDataDir, { recursive: true });
            const properties = kafkaNodeProperties(node, spec.brokers, nodeDataDir, { ...rack, ...spec.config });
            const propertiesFile = join(configDir, 'server.properties');
            await writeFile(propertiesFile, renderProperties(properties));
            const logFile = join(context.logDir, `${nodeName}.log`);
            const logging = await writeLoggingConfig(version, configDir, logFile);
            return {
              nodeId: node.nodeId,
              nodeName,
              propertiesFile,
              logging,
              logFile,
              output: join(context.logDir, `${nodeName}.out`),
              paths: [configDir, nodeDataDir, context.logDir],
            };
          }),
        );
        await Promise.all(
          nodes.map((n) =>
            runtime.runTool(
              {
                name: `${n.nodeName} storage format`,
                classpath: classpath.spec,
                artifacts: kafkaArtifactSet(version),
                mainClass: 'kafka.tools.StorageTool',
                args: ['format', '-t', clusterId, '-c', n.propertiesFile, '--ignore-formatted'],
                jvmArgs: ['-Xmx256m', n.logging],
                outputFile: n.output,
                paths: n.paths,
              },
              context.registry,
            ),
          ),
        );
        // Launched together (a container runtime starts them in parallel); each control is kept as it comes, so a
        // failed start still stops the others.
        const launched = await Promise.allSettled(
          nodes.map(async (n, i) => {
            const launch = kafkaBrokerSpec({
              name: n.nodeName,
              version,
              classpath: classpath.spec,
              propertiesFile: n.propertiesFile,
              logging: n.logging,
              heap: spec.heap,
              outputFile: n.output,
              logFile: n.logFile,
              paths: n.paths,
            });
            controls[i] = await runtime.launch(launch, context.registry);
          }),
        );
        const failed = launched.find((l): l is PromiseRejectedResult => l.status === 'rejected');
        if (failed) throw failed.reason;
        const endpoints = { bootstrap: layout.bootstrap };
        context.info(
          `starting Kafka ${version}: ${spec.brokers} broker(s) at ${endpoints.bootstrap}${network ? ' (through Toxiproxy)' : ''}`,
        );
        await waitUntilServing(
          kafkajsDriver.createAdmin(endpoints, context.log),
          controls,
          spec.brokers,
          READY_TIMEOUT_MS,
          context.signal,
        );
        return {
          spec,
          version,
          endpoints,
          brokers: nodes.map((n, i) => ({
            id: n.nodeId,
            host: '127.0.0.1',
            port: Number(layout.bootstrap.split(',')[i]!.split(':')[1]),
          })),
          processes: nodes.map((n, i) => ({ id: n.nodeId, control: controls[i]! })),
          ...(links ? { links } : {}),
          ...(layout.bootstrapByRegion
            ? {
                endpointsByRegion: Object.fromEntries(
                  Object.entries(layout.bootstrapByRegion).map(([region, bootstrap]) => [region, { bootstrap }]),
                ),
              }
            : {}),
          leaderOf: (topic, partition) => partitionLeader(endpoints, topic, partition, context.log),
          controller: () => quorumLeader(classpath.spec, endpoints.bootstrap),
          stop,
        };
      } catch (error) {
        await stop();
        throw clusterStartupError(spec.name, context, error);
      }
    },
  };
}

/** The embedded default: brokers as JVMs on this machine. */
export const localKafkaProvider: ClusterProvider = kafkaProvider({ name: 'local', runtime: jvmRuntime });
