/**
 * A provider turns a cluster spec into a running cluster the drivers can reach, and takes it down again.
 * local: JVM processes on this machine (the default); external: a cluster someone else runs; docker: containers.
 */
import type { Link, ProxiedNetwork } from '../net/proxied-network.js';
import type { ClusterSpec, TopicSpec } from '../scenario/schema.js';
import type { ConfigProblem } from './config-check.js';
import type { ProcessRegistry } from './process-registry.js';
import type { ProcessControl, Runtime } from './runtime.js';

export interface BrokerHandle {
  id: number;
  host: string;
  port: number;
}

/** How clients reach a cluster. */
export interface ClusterEndpoints {
  /** Kafka: host:port,… of the brokers. Pulsar: the binary service URL, pulsar://host:port. */
  bootstrap: string;
  /** Pulsar: the HTTP web service URL (admin REST API and WebSocket API). */
  webServiceUrl?: string;
}

/** What process faults act on: one broker's process (its runtime's control), by broker id. */
export interface BrokerProcess {
  readonly id: number;
  readonly control: ProcessControl;
}

export interface RunningCluster {
  readonly spec: ClusterSpec;
  /** Version actually running (the default when the scenario named none). */
  readonly version: string;
  readonly endpoints: ClusterEndpoints;
  readonly brokers: BrokerHandle[];
  /** Clusters whose processes faultline runs (local, docker): each broker's process control. */
  readonly processes?: BrokerProcess[];
  /** With a proxied network: every link faults may cut. */
  readonly links?: Link[];
  /** With clients in several regions: how a client in each region reaches the cluster (its own region's path). */
  readonly endpointsByRegion?: Record<string, ClusterEndpoints>;
  /** Which broker leads a partition, and which is the active controller (for fault targets). */
  leaderOf?(topic: string, partition: number): Promise<number | undefined>;
  controller?(): Promise<number | undefined>;
  stop(): Promise<void>;
}

export interface ProviderContext {
  runId: string;
  /** Where broker logs and configs go (inside the run's results directory). */
  logDir: string;
  registry: ProcessRegistry;
  signal: AbortSignal;
  /** Detail for the run's client log (never the terminal). */
  log: (line: string) => void;
  /** A line the user should see (start-up steps). */
  info: (line: string) => void;
  /** When the run injects network faults or crosses regions: route every link through this network's proxies. */
  network?: ProxiedNetwork;
  /**
   * With regions: the region of broker N (index N - 1), which Kafka also gets as broker.rack, and the regions
   * clients sit in (each gets its own path to every broker).
   */
  regions?: { brokerRegions: string[]; clientRegions: string[] };
  /** Where the cluster is declared (file:line), for start-up errors. */
  source?: string;
}

export interface ClusterProvider {
  readonly name: ClusterSpec['provider'];
  readonly system: ClusterSpec['system'];
  readonly defaultVersion: string | undefined;
  /** Where its processes run (the JVM runtime, containers); none for a cluster someone else runs. */
  readonly runtime?: Runtime;
  /**
   * What faults may act on: its broker processes (kill, stop, pause, restart) and its links (through Toxiproxy).
   * A cluster someone else runs offers neither.
   */
  readonly controls: { processes: boolean; links: boolean };
  /** Fetches what the cluster needs (e.g. broker jars) without starting it; `faultline setup` calls this. */
  prepare(version: string, log: (line: string) => void): Promise<void>;
  start(spec: ClusterSpec, context: ProviderContext): Promise<RunningCluster>;
  /**
   * Checks the cluster's broker `config` and its topics' `config` against the broker's own definitions (from the
   * jars it runs; fetched if need be). Rejects with a one-line reason when the check itself cannot run.
   */
  checkConfig?(spec: ClusterSpec, topics: TopicSpec[], log: (line: string) => void): Promise<ConfigProblem[]>;
}
