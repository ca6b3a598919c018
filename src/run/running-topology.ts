/**
 * What a run starts and stops: one cluster, or clusters joined by replication started together (each with its
 * own Toxiproxy when links are proxied, its brokers in its regions), their topics, and the replicators between
 * them (MirrorMaker 2, in the target's region, consuming from the source across the link). Everything started is
 * pushed on a teardown stack and stopped in reverse order, whatever happened.
 */
import { join } from 'node:path';
import type { BrokerProcess, ClusterEndpoints, ProviderContext, RunningCluster } from '../cluster/provider.js';
import { errorMessage, InfrastructureError } from '../errors.js';
import { needsProxies } from '../faults/fault-plan.js';
import { ProxiedNetwork } from '../net/proxied-network.js';
import { applyRegionCosts } from '../net/region-links.js';
import { type ClusterPaths, RunNetwork } from '../net/run-network.js';
import { ToxiproxyServer } from '../net/toxiproxy-server.js';
import type { ClusterRun, RunPlan } from '../plan/plan.js';
import { externalReplicator } from '../replication/external-replicator.js';
import type { RunningReplicator } from '../replication/mirror-maker.js';
import { replicationTimestamps } from '../replication/mm2-config.js';
import { type JoinedClusters, type PlannedReplication, targetTopics } from '../replication/replication-plan.js';
import { PROBE_TOPIC } from '../replication/replication-watch.js';
import { factsOf } from '../systems/facts.js';
import { systemOf } from '../systems/systems.js';
import { crossesRegions } from '../topology/topology.js';

/** What starting the topology needs: what a provider needs to start one cluster, less its own network and regions. */
export type TopologyContext = Pick<ProviderContext, 'runId' | 'logDir' | 'registry' | 'signal' | 'log' | 'info'>;

export interface TopologyMember {
  run: ClusterRun;
  cluster: RunningCluster;
  network?: ProxiedNetwork;
  /** The Toxiproxy server carrying its links, when they are proxied. */
  toxiproxy?: ToxiproxyServer;
  /** With regions: where its brokers sit and which client regions reach it. */
  regions?: { brokerRegions: string[]; clientRegions: string[] };
}

export interface StartedReplicator {
  replicator: RunningReplicator;
  replications: PlannedReplication[];
}

export class RunningTopology {
  readonly members = new Map<string, TopologyMember>();
  readonly replicators: StartedReplicator[] = [];
  private readonly teardown: Array<{ what: string; stop: () => Promise<void> }> = [];

  constructor(
    readonly plan: RunPlan,
    private readonly runs: ClusterRun[],
    readonly joined: JoinedClusters | undefined,
    private readonly context: TopologyContext,
  ) {}

  /** The cluster the workload runs on. */
  get workloadRun(): ClusterRun {
    return this.runs.find((r) => r.cluster.name === (this.joined?.workload ?? this.runs[0]!.cluster.name))!;
  }

  member(name: string): TopologyMember | undefined {
    return this.members.get(name);
  }

  /** The broker processes of every cluster of the run but `name`, by cluster (a region-outage kills them too). */
  peerProcesses(name: string): ReadonlyMap<string, readonly BrokerProcess[]> {
    return new Map(
      [...this.members].filter(([other]) => other !== name).map(([other, m]) => [other, m.cluster.processes ?? []]),
    );
  }

  /** The region a cluster's clients and replicator sit in: that of its first broker (undefined without regions). */
  regionOf(clusterName: string): string | undefined {
    return this.plan.topology.implicit ? undefined : this.plan.topology.clusters.get(clusterName)?.brokerRegions[0];
  }

  /** How a client in `region` (or anywhere, without regions) reaches a cluster. */
  endpointsFrom(clusterName: string, region: string | undefined): ClusterEndpoints {
    const cluster = this.members.get(clusterName)!.cluster;
    return (region !== undefined ? cluster.endpointsByRegion?.[region] : undefined) ?? cluster.endpoints;
  }

  /**
   * What faults act on: every cluster's proxied paths under one switch. A region fault cuts a region pair (or a
   * region) wherever its bytes travel, whichever cluster's Toxiproxy carries them (run-network.ts).
   */
  faultNetwork(): { network: RunNetwork | undefined; paths: ClusterPaths[] } {
    const members = [...this.members.values()]
      .filter((m): m is TopologyMember & { network: ProxiedNetwork } => m.network !== undefined)
      .map((m) => ({
        network: m.network,
        paths: {
          cluster: m.run.cluster.name,
          links: m.cluster.links ?? [],
          brokerRegions: m.regions?.brokerRegions ?? [],
        },
      }));
    if (members.length === 0) return { network: undefined, paths: [] };
    const network = new RunNetwork(members);
    return { network, paths: network.paths };
  }

  /** Starts every cluster (together), their topics, then the replicators. On failure, the caller still calls stop(). */
  async start(): Promise<void> {
    const started = await Promise.allSettled(this.runs.map((run) => this.startCluster(run)));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    throwIfAborted(this.context.signal);
    for (const run of this.runs) await this.ensureTopics(run, this.topicsOn(run));
    for (const [target, replications] of this.byTarget()) {
      this.replicators.push({ replicator: await this.startReplicator(target, replications), replications });
      throwIfAborted(this.context.signal);
    }
  }

  /** Rejects when a replicator exits while the run still needs it. */
  replicatorExited(): Promise<never> {
    const exited = Promise.race(
      this.replicators.map(async ({ replicator }) => {
        const control = replicator.control;
        if (!control) return new Promise<never>(() => {});
        const code = await control.exited();
        throw new InfrastructureError(`${replicator.name} exited (code ${code}): ${control.failureReason()}`);
      }),
    );
    exited.catch(() => {});
    return exited;
  }

  /** Stops everything started, in reverse order; each failure is logged and the rest still stop. */
  async stop(): Promise<void> {
    while (this.teardown.length > 0) {
      const { what, stop } = this.teardown.pop()!;
      if (what.startsWith('cluster ')) this.context.info(`${what.slice('cluster '.length)}: stopping the cluster`);
      await stop().catch((error: unknown) => this.context.log(`stopping ${what} failed: ${errorMessage(error)}`));
    }
  }

  private async startCluster(run: ClusterRun): Promise<void> {
    const { context, plan } = this;
    const name = run.cluster.name;
    const regions = this.regionsFor(run);
    let network: ProxiedNetwork | undefined;
    let toxiproxy: ToxiproxyServer | undefined;
    if (needsProxies(run.faults) || crossesRegions(plan.topology)) {
      const file = this.joined ? `toxiproxy-${name}.log` : 'toxiproxy.log';
      const server = await ToxiproxyServer.start(context.registry, join(context.logDir, file), context.info);
      toxiproxy = server;
      this.teardown.push({ what: `Toxiproxy of ${name}`, stop: () => server.stop() });
      // Several clusters: each proxy's name starts with its cluster's, so every path of the run has its own name.
      network = ProxiedNetwork.connect(server.url, this.runs.length > 1 ? `${name}.` : '');
    }
    const cluster = await run.provider.start(run.cluster, {
      runId: context.runId,
      logDir: context.logDir,
      registry: context.registry,
      signal: context.signal,
      log: context.log,
      info: context.info,
      ...(run.source ? { source: run.source } : {}),
      ...(network ? { network } : {}),
      ...(regions ? { regions } : {}),
    });
    this.teardown.push({ what: `cluster ${name}`, stop: () => cluster.stop() });
    this.members.set(name, {
      run,
      cluster,
      ...(network ? { network, toxiproxy } : {}),
      ...(regions ? { regions } : {}),
    });
    throwIfAborted(context.signal);
    if (network && regions) await applyRegionCosts(network, cluster, regions.brokerRegions, plan.topology);
  }

  /**
   * With regions: the cluster's broker regions, and the client regions that reach it — the workload's producers
   * and consumers, plus, for a replication, the target's region (MirrorMaker runs there and reads the source
   * across the link; the reader of replicated messages sits there too) and, for Pulsar, the source's region too.
   */
  regionsFor(run: ClusterRun): TopologyMember['regions'] {
    const { topology } = this.plan;
    if (topology.implicit) return undefined;
    const brokerRegions = topology.clusters.get(run.cluster.name)!.brokerRegions;
    // Pulsar geo-replication runs both ways, each side's broker dialling the other: both regions reach both clusters.
    const replicaRegions = (this.joined?.replications ?? [])
      .filter((r) => r.from.name === run.cluster.name || r.to.name === run.cluster.name)
      .flatMap((r) => (factsOf(r.from.system).replicator.bothWays ? [r.from, r.to] : [r.to]))
      .map((c) => this.regionOf(c.name)!);
    return {
      brokerRegions,
      clientRegions: [...new Set([...topology.producerRegions, ...topology.consumerRegions, ...replicaRegions])],
    };
  }

  /** A cluster's own topics, the replicated topics it receives, and the probe topic where replication starts or ends. */
  private topicsOn(run: ClusterRun) {
    const name = run.cluster.name;
    const replications = this.joined?.replications ?? [];
    const topics = run.topics.map((topic) => replicationTimestamps(topic, name, replications));
    const add = (topic: (typeof topics)[number]) => {
      if (!topics.some((t) => t.name === topic.name)) topics.push(replicationTimestamps(topic, name, replications));
    };
    for (const r of replications) {
      if (r.to.name === name) targetTopics({ ...r, topics: [...r.topics, PROBE_TOPIC] }).forEach(add);
      if (r.from.name === name) add(PROBE_TOPIC);
    }
    return topics;
  }

  private async ensureTopics(run: ClusterRun, topics: ClusterRun['topics']): Promise<void> {
    const admin = run.driver.createAdmin(this.members.get(run.cluster.name)!.cluster.endpoints, this.context.log);
    try {
      await admin.ensureTopics(topics);
    } finally {
      await admin.close().catch(() => {});
    }
  }

  private byTarget(): Map<string, PlannedReplication[]> {
    const byTarget = new Map<string, PlannedReplication[]>();
    for (const r of this.joined?.replications ?? []) byTarget.set(r.to.name, [...(byTarget.get(r.to.name) ?? []), r]);
    return byTarget;
  }

  private async startReplicator(target: string, replications: PlannedReplication[]): Promise<RunningReplicator> {
    const targetRun = this.runs.find((r) => r.cluster.name === target)!;
    if (replications.every((r) => r.external)) return externalReplicator(target, this.context.info);
    const replicator = await systemOf(targetRun.cluster.system).startReplicator({
      target: { spec: targetRun.cluster, provider: targetRun.provider, cluster: this.members.get(target)!.cluster },
      replications: replications.map((r) => ({ ...r, topics: [...r.topics, PROBE_TOPIC] })),
      soleTarget: this.byTarget().size === 1,
      clusterOf: (name) => this.members.get(name)!.cluster,
      regionOf: (name) => this.regionOf(name),
      endpointsFrom: (name, region) => this.endpointsFrom(name, region),
      logDir: this.context.logDir,
      registry: this.context.registry,
      log: this.context.log,
      info: this.context.info,
    });
    this.teardown.push({ what: replicator.name, stop: () => replicator.stop() });
    return replicator;
  }
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new Error(`interrupted by ${String(signal.reason ?? 'a signal')}`);
}
