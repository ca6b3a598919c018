/**
 * A broker system as the run sees it: its facts (system-facts.ts) and the parts that run — its drivers'
 * factories, its providers (local, docker, external), its broker images, its replicator. Plan, run and CLI ask
 * the system of a cluster (systems.ts: systemOf) instead of testing its name; each system's folder holds one.
 */
import type { ClasspathSet } from '../cluster/docker/broker-images.js';
import type { ClusterEndpoints, ClusterProvider, RunningCluster } from '../cluster/provider.js';
import type { ProcessRegistry } from '../cluster/process-registry.js';
import type { DriverFactory } from '../drivers/driver.js';
import type { RunningReplicator } from '../replication/mirror-maker.js';
import type { PlannedReplication } from '../replication/replication-plan.js';
import type { Problem } from '../scenario/problems.js';
import type { ClusterSpec, TopicSpec } from '../scenario/schema.js';
import type { SystemName } from './facts.js';
import type { SystemFacts } from './system-facts.js';

type Log = (line: string) => void;

/** What starting the replicator into one target cluster needs from the running topology. */
export interface ReplicatorStart {
  target: { spec: ClusterSpec; provider: ClusterProvider; cluster: RunningCluster };
  /** The replications into the target (their topics include the probe topic). */
  replications: PlannedReplication[];
  /** Whether the target is the only one of the run that receives replication (names its replicator plainly). */
  soleTarget: boolean;
  clusterOf(name: string): RunningCluster;
  regionOf(cluster: string): string | undefined;
  /** How a client in `region` (or anywhere, without regions) reaches a cluster. */
  endpointsFrom(cluster: string, region: string | undefined): ClusterEndpoints;
  logDir: string;
  registry: ProcessRegistry;
  log: Log;
  info: Log;
}

/** Plan-time checks that need the system's own client options (e.g. what a subscription type admits). */
export interface PlanCheck {
  cluster: ClusterSpec;
  /** Consumers per group (workload.consumers). */
  consumers: number;
  /** The merged consumer options (workload's, then the cluster's). */
  consumerOptions: Record<string, unknown>;
}

/** Failover: the source group to ready so the target resumes it. */
export interface FailoverGroup {
  source: ClusterEndpoints;
  from: string;
  to: string;
  topic: TopicSpec;
  group: string;
  log: Log;
}

export interface BrokerSystem<N extends SystemName = SystemName> extends SystemFacts<N> {
  /** The factory of every driver `drivers` names, by name. */
  readonly driverFactories: Readonly<Record<string, DriverFactory>>;
  readonly providers: Partial<Record<ClusterSpec['provider'], ClusterProvider>>;
  /** The version a cluster runs when it names none. */
  readonly defaultVersion: string;
  /** The classpaths a broker image of `version` holds (the replicator's too, when it runs from the image). */
  imageClasspaths(version: string, log: Log): Promise<ClasspathSet[]>;
  /** What `faultline setup` fetches for a replicator that runs as its own process, into a target at `version`. */
  readonly replicatorArtifact?: { name: string; prepare(version: string, log: Log): Promise<unknown> };
  /** Starts replicating into one target; the returned replicator is stopped at teardown. */
  startReplicator(start: ReplicatorStart): Promise<RunningReplicator>;
  checkPlan?(check: PlanCheck): Problem[];
  /** Readies a source consumer group before clients fail over (Pulsar: replicated subscription state). */
  prepareFailoverGroup?(group: FailoverGroup): Promise<void>;
}
