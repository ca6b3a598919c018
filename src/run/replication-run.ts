/**
 * What a run of clusters joined by replication adds around the load: the replication watch (readers on every
 * target, a probe through every replicator before the load, every source ack noted), and, with `failover:`, the
 * clients' move to the target at the planned time. At the end it gives the replication, RPO and RTO figures.
 */
import type { MessagingClient } from '../drivers/driver.js';
import { PULSAR_NAMESPACE, PulsarAdmin, pulsarTopicPath } from '../drivers/pulsar/pulsar-admin.js';
import { errorMessage, InfrastructureError } from '../errors.js';
import type { LoadClock } from '../load/load-run.js';
import { PayloadCodec } from '../load/payload.js';
import { ClientFailover, type RtoFigures } from '../replication/client-failover.js';
import type { PlannedFailover } from '../replication/failover-plan.js';
import { type ReplicationResult, ReplicationWatch, type RpoFigures } from '../replication/replication-watch.js';
import type { TopicSpec } from '../scenario/schema.js';
import type { RunningTopology } from './running-topology.js';

/** Replicator start → first replicated record; MirrorMaker 2 takes ≈5 s here. */
const REPLICATION_START_TIMEOUT_MS = 90_000;

export interface ReplicationRunOptions {
  runId: Buffer;
  clock: LoadClock;
  log: (line: string) => void;
  info: (line: string) => void;
  signal: AbortSignal;
  readyTimeoutMs: number;
}

export class ReplicationRun {
  private failoverTimer: NodeJS.Timeout | undefined;
  private switching: Promise<void> | undefined;

  private constructor(
    readonly watch: ReplicationWatch,
    /** The workload's client: acks noted for the watch, and moved by the failover when there is one. */
    readonly client: MessagingClient,
    private readonly failover: { plan: PlannedFailover; clients: ClientFailover } | undefined,
    private readonly o: ReplicationRunOptions,
  ) {}

  /** Readers ready on every target and a probe through every replicator; then wraps the workload's client. */
  static async start(
    topology: RunningTopology,
    client: MessagingClient,
    o: ReplicationRunOptions,
  ): Promise<ReplicationRun> {
    const watch = await watchReplication(topology, o);
    const plan = topology.plan.failovers.find((f) => f.from === topology.workloadRun.cluster.name);
    if (!plan) return new ReplicationRun(watch, watch.wrap(client), undefined, o);
    const clients = new ClientFailover(watch.wrap(client), {
      from: plan.from,
      to: plan.to,
      openTarget: () => openTargetClient(topology, plan, o),
      topicOnTarget: plan.topicOnTarget,
      codec: new PayloadCodec(o.runId, topology.plan.scenario.workload.messageSize),
      clock: o.clock.now,
      log: o.info,
      onDirectWrite: (producer, sequence) => watch.noteDirectWrite(producer, sequence),
      ...(plan.system === 'pulsar' ? { prepareGroup: replicateSubscription(topology, plan, o.log) } : {}),
    });
    return new ReplicationRun(watch, clients.client, { plan, clients }, o);
  }

  /** As the load starts: schedules the clients' move. */
  onLoadStart(): void {
    if (!this.failover) return;
    const { plan, clients } = this.failover;
    this.failoverTimer = setTimeout(
      () => {
        this.switching = clients
          .switchOver()
          .catch((error: unknown) => this.o.log(`failover failed: ${errorMessage(error)}`));
      },
      Math.max(0, plan.switchAtMs - this.o.clock.now()),
    );
  }

  /** After producing: no move any more; waits for a move under way, then (bounded) for replication to catch up. */
  async settle(drainTimeoutMs: number): Promise<void> {
    clearTimeout(this.failoverTimer);
    await this.switching;
    this.o.info(`waiting for replication to catch up (at most ${drainTimeoutMs} ms)`);
    await this.watch.waitUntilCaughtUp(drainTimeoutMs);
  }

  /** Replication, RPO (at the source region's outage with failover, else at the first fault) and RTO figures. */
  figures(faults: Array<{ id: string; injectedAt: number | null; healedAt?: number | null; target?: string }>): {
    replication: ReplicationResult;
    rpo: RpoFigures | null;
    rto?: RtoFigures;
  } {
    const replication = this.watch.result();
    // A fault on a MirrorMaker 2 loses no source: RPO is taken at the first fault on the source.
    const onSource = faults.filter((f) => !f.target?.startsWith('mirrormaker('));
    if (!this.failover) return { replication, rpo: this.watch.rpoAt(onSource) };
    const { plan, clients } = this.failover;
    const outage = faults.filter((f) => f.id === plan.trigger.faultId);
    const rto = clients.figures(plan.trigger.faultId, outage[0]?.injectedAt ?? null);
    // RPO at the loss of the source region (the trigger), whatever other fault came first.
    return { replication, rpo: this.watch.rpoAt(outage), rto };
  }

  async close(): Promise<void> {
    clearTimeout(this.failoverTimer);
    await this.watch.close().catch(() => {});
  }
}

/** The target's client, in the target's region: where the clients live once they failed over. */
function openTargetClient(topology: RunningTopology, plan: PlannedFailover, o: ReplicationRunOptions): MessagingClient {
  const target = topology.member(plan.to)!;
  const region = topology.regionOf(plan.to);
  return target.run.driver.createClient({
    endpoints: topology.endpointsFrom(plan.to, region),
    producerOptions: target.run.producerOptions,
    consumerOptions: target.run.consumerOptions,
    log: o.log,
    clock: o.clock.now,
    ...(region !== undefined ? { region } : {}),
  });
}

/**
 * Pulsar resumes a subscription on the target only when its state is replicated (snapshots every second, both
 * ways); the WebSocket consumer cannot ask for it, so the admin API turns it on for each source subscription.
 */
function replicateSubscription(topology: RunningTopology, plan: PlannedFailover, log: (line: string) => void) {
  return async (topic: TopicSpec, group: string) => {
    const admin = new PulsarAdmin(topology.member(plan.from)!.cluster.endpoints, log);
    const path = `${pulsarTopicPath(topic.name)}/subscription/${encodeURIComponent(group)}/replicatedSubscriptionStatus`;
    const answer = await admin.request('POST', path, true);
    log(`pulsar: POST ${path} → HTTP ${answer.status}`);
    if (answer.status >= 300) {
      throw new InfrastructureError(
        `could not replicate subscription ${group} of ${PULSAR_NAMESPACE}/${topic.name} on ${plan.from} (needed to resume it on ${plan.to}): HTTP ${answer.status} ${JSON.stringify(answer.json)}`,
      );
    }
  };
}

/** Readers on every target, ready, and a probe record through every replicator before the load starts. */
async function watchReplication(topology: RunningTopology, o: ReplicationRunOptions): Promise<ReplicationWatch> {
  const { workloadRun } = topology;
  const { workload } = topology.plan.scenario;
  const watch = await ReplicationWatch.start(
    topology.replicators.flatMap(({ replicator, replications }) =>
      replications
        .filter((r) => r.from.name === workloadRun.cluster.name)
        .map((replication) => ({
          replication,
          targetEndpoints: topology.endpointsFrom(replication.to.name, topology.regionOf(replication.to.name)),
          targetConsumerOptions: topology.member(replication.to.name)!.run.consumerOptions,
          replicatorStartedAtMs: replicator.startedAtMs,
        })),
    ),
    {
      runId: o.runId,
      messageSize: workload.messageSize,
      warmupMs: workload.warmup,
      driver: workloadRun.driver,
      clock: o.clock.now,
      log: o.log,
      readyTimeoutMs: o.readyTimeoutMs,
      signal: o.signal,
    },
  );
  const sources = new Map<string, MessagingClient>();
  try {
    for (const { replications } of topology.replicators) {
      for (const r of replications) {
        if (sources.has(r.from.name)) continue;
        const member = topology.member(r.from.name)!;
        sources.set(
          r.from.name,
          member.run.driver.createClient({
            endpoints: topology.endpointsFrom(r.from.name, topology.plan.topology.producerRegions[0]),
            producerOptions: {},
            consumerOptions: {},
            log: o.log,
            clock: o.clock.now,
          }),
        );
      }
    }
    await watch.waitUntilReplicating(sources, REPLICATION_START_TIMEOUT_MS, topology.replicatorExited());
  } catch (error) {
    await watch.close();
    throw error;
  } finally {
    await Promise.all([...sources.values()].map((c) => c.close().catch(() => {})));
  }
  const firsts = watch.result().flows.map((f) => `${f.from} → ${f.to} ${f.firstRecordMs} ms`);
  o.info(
    `${workloadRun.cluster.name}: replication carries records (replicator start → first record: ${firsts.join(', ')})`,
  );
  return watch;
}
