/**
 * A MirrorMaker 2 process in dedicated mode (org.apache.kafka.connect.mirror.MirrorMaker), started, stopped
 * and cleaned up like a broker: launched on a runtime (a JVM, a container) that marks it with the run id (so the
 * watchdog and `faultline clean` find it after a killed harness), its log in logs/mm2[-target].log.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { heapFlags } from '../cluster/jvm-process.js';
import { writeLoggingConfig } from '../cluster/kafka/kafka-distribution.js';
import { freePorts } from '../cluster/free-ports.js';
import type { ProcessRegistry } from '../cluster/process-registry.js';
import type { ProcessControl, Runtime } from '../cluster/runtime.js';
import { type Mm2Flow, type Mm2Target, mirrorMakerProperties } from './mm2-config.js';
import { mirrorMakerArtifactSet, mirrorMakerClasspath } from './mm2-distribution.js';

const MM2_HEAP_BYTES = 256 * 1024 ** 2;

/**
 * What carries replication: a process of its own (MirrorMaker 2: `control`), or a system's own replication set up
 * by config (Pulsar geo-replication: no process).
 */
export interface RunningReplicator {
  readonly name: string;
  /** Its process, when it has one: what readiness watches and process faults act on. */
  readonly control?: ProcessControl;
  /** Monotonic time (performance.now) at which the process was started. */
  readonly startedAtMs: number;
  /** MirrorMaker 2: the cluster it replicates into (fault target mirrormaker(cluster) hits its `control`). */
  readonly mirrorMaker?: { into: string };
  stop(): Promise<void>;
}

/** The MirrorMaker 2 processes a fault may hit, by the cluster each replicates into. */
export function mirrorMakerControls(replicators: ReadonlyArray<{ replicator: RunningReplicator }>) {
  return new Map(
    replicators.flatMap(({ replicator: { mirrorMaker, control } }) =>
      mirrorMaker && control ? [[mirrorMaker.into, control]] : [],
    ),
  ) as ReadonlyMap<string, ProcessControl>;
}

export interface MirrorMakerStart {
  version: string;
  target: Mm2Target;
  flows: Mm2Flow[];
  /** One MirrorMaker per target: its name in logs and the registry. */
  name: string;
  logDir: string;
  registry: ProcessRegistry;
  /** Where it runs: the JVM runtime, or the target cluster's container runtime. */
  runtime: Runtime;
  info: (line: string) => void;
}

/**
 * How long MirrorMaker 2 gets to stop politely at the end of a run before it is killed (its run is over: nothing
 * it does then is measured). With its clusters up it stops in 1.3–2.1 s here; with a source gone for good it
 * waits out its connectors' shutdown timeouts (8–9 s), or to the 10 s kill.
 */
const TEARDOWN_GRACE_MS = 3_000;

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
  const outputFile = join(o.logDir, `${o.name}.out`);
  const startedAtMs = performance.now();
  const control = await o.runtime.launch(
    {
      name: o.name,
      mainClass: 'org.apache.kafka.connect.mirror.MirrorMaker',
      args: [propertiesFile, '--clusters', o.target.name],
      jvmArgs: [...heapFlags(MM2_HEAP_BYTES), '-Djava.awt.headless=true', logging],
      classpath: classpath.spec,
      artifacts: mirrorMakerArtifactSet(o.version),
      outputFile,
      logFile,
      paths: [configDir, o.logDir],
    },
    o.registry,
  );
  o.info(
    `starting MirrorMaker 2 ${o.version} (${o.flows.map((f) => `${f.replication.from.name} → ${o.target.name}`).join(', ')}${exactlyOnce ? ', exactly-once' : ''}) — log ${logFile}`,
  );
  return {
    name: o.name,
    control,
    startedAtMs,
    mirrorMaker: { into: o.target.name },
    stop: () => control.stop(TEARDOWN_GRACE_MS),
  };
}
