/**
 * A MirrorMaker 2 process in dedicated mode (org.apache.kafka.connect.mirror.MirrorMaker), started, stopped
 * and cleaned up like a broker: a RestartableJvm carrying the run's markers, recorded in the process registry
 * (so the watchdog and `faultline clean` find it after a killed harness), its log in logs/mm2[-target].log.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brokerControl, heapFlags, RestartableJvm } from '../cluster/jvm-process.js';
import { writeLoggingConfig } from '../cluster/kafka/kafka-distribution.js';
import { freePorts } from '../cluster/free-ports.js';
import type { ProcessRegistry } from '../cluster/process-registry.js';
import type { BrokerControl } from '../cluster/provider.js';
import { type Mm2Flow, type Mm2Target, mirrorMakerProperties } from './mm2-config.js';
import { mirrorMakerClasspath } from './mm2-distribution.js';

const MM2_HEAP_BYTES = 256 * 1024 ** 2;

/** What carries replication: a MirrorMaker 2 process (jvm), or a system's own replication set up by config. */
export interface RunningReplicator {
  readonly name: string;
  readonly jvm?: RestartableJvm;
  /** Monotonic time (performance.now) at which the process was started. */
  readonly startedAtMs: number;
  /** MirrorMaker 2: the cluster it replicates into, and its process for faults (target mirrormaker(cluster)). */
  readonly mirrorMaker?: { into: string; control: BrokerControl };
  stop(): Promise<void>;
}

/** The MirrorMaker 2 processes a fault may hit, by the cluster each replicates into. */
export function mirrorMakerControls(replicators: ReadonlyArray<{ replicator: RunningReplicator }>) {
  return new Map(
    replicators.flatMap(({ replicator: { mirrorMaker } }) =>
      mirrorMaker ? [[mirrorMaker.into, mirrorMaker.control]] : [],
    ),
  ) as ReadonlyMap<string, BrokerControl>;
}

export interface MirrorMakerStart {
  version: string;
  target: Mm2Target;
  flows: Mm2Flow[];
  /** One MirrorMaker per target: its name in logs and the registry. */
  name: string;
  logDir: string;
  registry: ProcessRegistry;
  info: (line: string) => void;
}

export async function startMirrorMaker(o: MirrorMakerStart): Promise<RunningReplicator> {
  const classpath = await mirrorMakerClasspath(o.version, o.info);
  const configDir = join(o.logDir, o.name);
  await mkdir(configDir, { recursive: true });
  const propertiesFile = join(configDir, 'mm2.properties');
  // Exactly-once needs MirrorMaker's internal REST server (KIP-710): on loopback, at a port of the run's own.
  const exactlyOnce = o.flows.some((f) => f.replication.exactlyOnce);
  const target =
    exactlyOnce && o.target.restPort === undefined ? { ...o.target, restPort: (await freePorts(1))[0]! } : o.target;
  const properties = mirrorMakerProperties(target, o.flows);
  await writeFile(
    propertiesFile,
    `${Object.entries(properties)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n')}\n`,
  );
  const logFile = join(o.logDir, `${o.name}.log`);
  const logging = await writeLoggingConfig(o.version, configDir, logFile);
  const jvm = new RestartableJvm({
    name: o.name,
    classpath: classpath.spec,
    mainClass: 'org.apache.kafka.connect.mirror.MirrorMaker',
    args: [propertiesFile, '--clusters', o.target.name],
    jvmArgs: [...heapFlags(MM2_HEAP_BYTES), '-Djava.awt.headless=true', logging],
    outputFile: join(o.logDir, `${o.name}.out`),
    logFile,
    registry: o.registry,
  });
  const startedAtMs = performance.now();
  jvm.start();
  o.info(
    `starting MirrorMaker 2 ${o.version} (${o.flows.map((f) => `${f.replication.from.name} → ${o.target.name}`).join(', ')}${exactlyOnce ? ', exactly-once' : ''}) — log ${logFile}`,
  );
  const outputFile = join(o.logDir, `${o.name}.out`);
  const control = brokerControl(0, jvm, outputFile, o.name);
  return {
    name: o.name,
    jvm,
    startedAtMs,
    mirrorMaker: { into: o.target.name, control },
    stop: () => jvm.stop(),
  };
}
