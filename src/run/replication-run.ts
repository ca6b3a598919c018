/**
 * What a run of clusters joined by replication adds around the load: the replication watch (readers on every
 * target, a probe through every replicator before the load, every source ack noted), and, with `failover:`, the
 * clients' move to the target: `after` the source region's outage came into force (timed from its injection, not
 * its plan), or when the clients' own detector fires. At the end it gives the replication, RPO and RTO figures.
 */
import type { ReplicationFigures } from '../metrics/replication-tracker.js';
import type { MessagingClient } from '../drivers/driver.js';
import { errorMessage } from '../errors.js';
import type { LoadClock } from '../load/load-run.js';
import { PayloadCodec } from '../load/payload.js';
import { ClientFailover, type RtoFigures } from '../replication/client-failover.js';
import type { PlannedFailover } from '../replication/failover-plan.js';
import { type ReplicationResult, ReplicationWatch, type RpoFigures } from '../replication/replication-watch.js';
import type { ClientRelocation } from '../metrics/regional-figures.js';
import type { TopicSpec } from '../scenario/schema.js';
import { systemOf } from '../systems/systems.js';
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

/** What the run needs of the fault injector: to hear when a fault comes into force or heals. */
export interface FaultEvents {
  listen(listener: (record: FaultState) => void): void;
}

/** A fault's record as the injector keeps it (updated in place). */
export interface FaultState {
  id: string;
  injectedAt: number | null;
  healedAt: number | null;
  error?: string;
}

export class ReplicationRun {
  private failoverTimer: NodeJS.Timeout | undefined;
  private switching: Promise<void> | undefined;
  /** The trigger outage's record, once the injector told of it. */
  private outage: FaultState | undefined;
  /** When the move's rule fired (load clock); null until it did. */
  private triggeredAtMs: number | null = null;
  /** Why the clients stayed although the rule was due (the outage had healed), when they did. */
  private stayed: string | undefined;
  private producing = true;

  private constructor(
    readonly watch: ReplicationWatch,
    /** The workload's client: acks noted for the watch, and moved by the failover when there is one. */
    readonly client: MessagingClient,
    private readonly failover: { plan: PlannedFailover; clients: ClientFailover; region?: string } | undefined,
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
    const prepare = systemOf(plan.system).prepareFailoverGroup;
    const prepareGroup =
      prepare &&
      ((topic: TopicSpec, group: string) =>
        prepare({
          source: topology.member(plan.from)!.cluster.endpoints,
          from: plan.from,
          to: plan.to,
          topic,
          group,
          log: o.log,
        }));
    const clients = new ClientFailover(watch.wrap(client), {
      from: plan.from,
      to: plan.to,
      openTarget: () => openTargetClient(topology, plan, o),
      topicOnTarget: plan.topicOnTarget,
      codec: new PayloadCodec(o.runId, topology.plan.scenario.workload.messageSize),
      clock: o.clock.now,
      log: o.info,
      onDirectWrite: (producer, sequence) => watch.noteDirectWrite(producer, sequence),
      ...(prepareGroup ? { prepareGroup } : {}),
    });
    const region = topology.regionOf(plan.to);
    return new ReplicationRun(watch, clients.client, { plan, clients, ...(region ? { region } : {}) }, o);
  }

  /**
   * Where the clients sit once they moved: the target's region. The figures by region file what happens after
   * the move there (acks, deliveries, and the messages sent from there), not under the planned regions.
   */
  get relocation(): ClientRelocation | undefined {
    const failover = this.failover;
    if (!failover?.region) return undefined;
    const movedTo = () => (failover.clients.switched ? failover.region : undefined);
    return {
      producersIn: movedTo,
      consumersIn: movedTo,
      sentFrom: (producer, sequence) =>
        failover.clients.sentToTarget(producer, sequence) ? failover.region : undefined,
    };
  }

  /**
   * As the load starts (and the faults are scheduled): follows the outage the move depends on. With `after`,
   * the move is timed from the outage's injection (never from its plan), and happens only while it lasts; with
   * `noAckFor`, the clients' own detector moves them when it fires.
   */
  onLoadStart(faults: FaultEvents | undefined): void {
    if (!this.failover) return;
    const { plan, clients } = this.failover;
    faults?.listen((record) => {
      if (record.id !== plan.trigger.faultId) return;
      const first = this.outage === undefined && record.injectedAt !== null;
      this.outage = record;
      if (first && plan.detection.rule === 'after') this.scheduleMove(record.injectedAt! + plan.detection.ms);
    });
    if (plan.detection.rule === 'noAckFor') {
      clients
        .detectNoAck(plan.detection.ms, (atMs) => {
          this.o.info(`failover: no acknowledgement for ${plan.detection.ms} ms (at ${Math.round(atMs)} ms)`);
          this.move(atMs);
        })
        .arm();
    }
  }

  private scheduleMove(atMs: number): void {
    this.failoverTimer = setTimeout(
      () => {
        const healedAt = this.outage?.healedAt ?? null;
        if (healedAt !== null) {
          this.stayed = `${this.outage!.id} healed at ${healedAt} ms, before the move was due at ${Math.round(atMs)} ms: the clients stayed on ${this.failover!.plan.from}`;
          this.o.info(`failover: ${this.stayed}`);
          return;
        }
        this.move(this.o.clock.now());
      },
      Math.max(0, atMs - this.o.clock.now()),
    );
  }

  private move(triggeredAtMs: number): void {
    if (!this.producing || this.triggeredAtMs !== null) return;
    this.triggeredAtMs = triggeredAtMs;
    this.switching = this.failover!.clients.switchOver().catch((error: unknown) =>
      this.o.log(`failover failed: ${errorMessage(error)}`),
    );
  }

  /** After producing: no move any more; waits for a move under way, then (bounded) for replication to catch up. */
  async settle(drainTimeoutMs: number): Promise<void> {
    this.stopMoving();
    await this.switching;
    this.o.info(
      `waiting for replication to catch up (at most ${drainTimeoutMs} ms; load clock ${Math.round(this.o.clock.now())} ms)`,
    );
    if (await this.watch.waitUntilCaughtUp(drainTimeoutMs)) return;
    this.o.info('replication did not catch up: reading the targets to their end (final read)');
    await this.watch.finalReadOfTargets(drainTimeoutMs);
  }

  private stopMoving(): void {
    this.producing = false;
    clearTimeout(this.failoverTimer);
    this.failover?.clients.detectorOff();
  }

  /**
   * Replication, RPO and RTO figures. With failover, RPO is the failover target's gap at the injection of the
   * source region's outage (the other replicas' gaps beside it); without, at the first fault, over every replica.
   */
  figures(
    faults: Array<{ id: string; injectedAt: number | null; healedAt?: number | null; error?: string; target?: string }>,
  ): {
    replication: ReplicationResult;
    rpo: RpoFigures | null;
    rto?: RtoFigures;
  } {
    const replication = this.watch.result();
    // A fault on a MirrorMaker 2 loses no source: RPO is taken at the first fault on the source.
    const onSource = faults.filter((f) => !f.target?.startsWith('mirrormaker('));
    if (!this.failover) return { replication, rpo: this.watch.rpoAt(onSource) };
    const { plan, clients } = this.failover;
    const outage = faults.find((f) => f.id === plan.trigger.faultId);
    const injectedAt = outage?.injectedAt ?? null;
    const flag = rtoFlag({
      fault: plan.trigger.faultId,
      from: plan.from,
      injectedAt,
      healedAt: outage?.healedAt ?? null,
      notInjected: outage?.error,
      triggeredAtMs: this.triggeredAtMs,
      movedAtMs: clients.movedAtMs,
      stayed: this.stayed,
    });
    const rto: RtoFigures = {
      ...clients.figures(plan.trigger.faultId, injectedAt, flag),
      detection: plan.detection,
      triggeredAtMs: this.triggeredAtMs === null ? null : Math.round(this.triggeredAtMs),
      detectedMs:
        this.triggeredAtMs === null || injectedAt === null || flag !== null
          ? null
          : Math.round(this.triggeredAtMs - injectedAt),
    };
    return { replication, rpo: this.watch.rpoAt(outage ? [outage] : [], plan.to), rto };
  }

  /** Each flow's figures so far (the live view). */
  flowFigures(): ReplicationFigures[] {
    return this.watch.flowFigures();
  }

  async close(): Promise<void> {
    this.stopMoving();
    await this.watch.close().catch(() => {});
  }
}

/**
 * Why the move (or its absence) is no RTO of this outage: never injected, healed before the move was due, the
 * rule fired before the outage or after it healed, or producing ended first. null when produce / consume are RTOs.
 */
export function rtoFlag(s: {
  fault: string;
  from: string;
  injectedAt: number | null;
  healedAt: number | null;
  notInjected: string | undefined;
  triggeredAtMs: number | null;
  movedAtMs: number | null;
  stayed: string | undefined;
}): string | null {
  const moved = s.movedAtMs !== null;
  const at = (ms: number) => `${Math.round(ms)} ms`;
  if (s.injectedAt === null)
    return `${s.fault} was never injected${s.notInjected ? ` (${s.notInjected})` : ''}: ${moved ? `the clients moved all the same at ${at(s.movedAtMs!)} (the trigger fired), away from a source that never went down` : `nobody moved, the clients stayed on ${s.from}`}`;
  if (s.stayed) return s.stayed;
  if (!moved)
    return `the clients did not move before producing ended (${s.fault} injected at ${at(s.injectedAt)}${s.healedAt !== null ? `, healed at ${at(s.healedAt)}` : ''}): no recovery to measure`;
  if (s.triggeredAtMs !== null && s.triggeredAtMs < s.injectedAt)
    return `the trigger fired at ${at(s.triggeredAtMs)}, before ${s.fault} was injected at ${at(s.injectedAt)}: the move was not a recovery from it`;
  if (s.healedAt !== null && s.movedAtMs! >= s.healedAt)
    return `the clients moved at ${at(s.movedAtMs!)}, after ${s.fault} had healed at ${at(s.healedAt)}: they left a source that was back, so no RTO`;
  return null;
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
          sourceEndpoints: topology.endpointsFrom(replication.from.name, topology.regionOf(replication.from.name)),
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
