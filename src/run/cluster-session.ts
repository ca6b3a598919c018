/**
 * One unit of a scenario run (a cluster, or clusters joined by replication), from start to result: its log and
 * process registry, its running topology, clients and replication, the load with its faults and resource
 * sampling, and the partial results handed to the outputs on the way. run-scenario.ts drives it in four steps:
 * start → drive → settle → close, then asks for the result; whatever fails on the way is recorded by `fail`.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ProcessRegistry } from '../cluster/process-registry.js';
import type { RunningCluster } from '../cluster/provider.js';
import type { MessagingClient } from '../drivers/driver.js';
import { type ClientPlacement, PlacedClient } from '../drivers/placed-client.js';
import { errorMessage, InfrastructureError } from '../errors.js';
import { FaultInjector } from '../faults/fault-injector.js';
import { seededRandom } from '../faults/targets.js';
import { type LoadOutcome, LoadClock, runLoad } from '../load/load-run.js';
import { PayloadCodec } from '../load/payload.js';
import type { CollectedMetrics } from '../metrics/collector.js';
import type { ClusterRun, RunPlan } from '../plan/plan.js';
import { buildResult, type ResultInput } from '../report/build-result.js';
import type { Outputs } from '../report/outputs.js';
import type { ProgressReporter } from '../report/progress.js';
import type { RunResult } from '../report/result.js';
import { mirrorMakerControls } from '../replication/mirror-maker.js';
import type { JoinedClusters } from '../replication/replication-plan.js';
import { ResourceSampler } from '../resources/resource-sampler.js';
import { regionOfProducer } from '../topology/topology.js';
import { MaxRateRun } from './max-rate-run.js';
import { ReplicationRun } from './replication-run.js';
import { runProcesses } from './run-processes.js';
import { RunningTopology } from './running-topology.js';

const CONSUMER_READY_TIMEOUT_MS = 60_000;

export interface SessionOptions {
  signal: AbortSignal;
  progress: ProgressReporter;
  /** What the run writes (result.json, report.md …): see report/outputs.ts. */
  outputs: Outputs;
  /** Receives the registry of the cluster being run, so a second Ctrl-C can kill its processes at once. */
  onRegistry?: (registry: ProcessRegistry | undefined) => void;
}

export class ClusterSession {
  private readonly runIdBytes = PayloadCodec.newRunId();
  private readonly clientLog: WriteStream;
  private readonly registry: ProcessRegistry;
  private readonly topology: RunningTopology;
  private readonly runs: ClusterRun[];
  private readonly startedAt = new Date();
  private readonly clock = new LoadClock();
  private cluster: RunningCluster | undefined;
  private client: MessagingClient | undefined;
  private replicated: ReplicationRun | undefined;
  private injector: FaultInjector | undefined;
  private resources: ResourceSampler | undefined;
  private placement: ClientPlacement | undefined;
  private faultsUntilMs = 0;
  private outcome: LoadOutcome | undefined;
  private search: MaxRateRun | undefined;
  private failure: { status: 'error' | 'interrupted'; reason: string } | undefined;

  /** Makes the unit's log directory, then its session (client log, process registry, topology not yet started). */
  static async open(
    plan: RunPlan,
    run: ClusterRun,
    dir: string,
    options: SessionOptions,
    joined?: JoinedClusters,
  ): Promise<ClusterSession> {
    await mkdir(join(dir, 'logs'), { recursive: true });
    return new ClusterSession(plan, run, dir, options, joined);
  }

  private constructor(
    private readonly plan: RunPlan,
    private readonly run: ClusterRun,
    private readonly dir: string,
    private readonly options: SessionOptions,
    private readonly joined: JoinedClusters | undefined,
  ) {
    const logDir = join(dir, 'logs');
    this.clientLog = createWriteStream(join(logDir, 'client.log'), { flags: 'a' });
    this.runs = joined ? plan.runs.filter((r) => joined.clusters.includes(r.cluster.name)) : [run];
    this.registry = ProcessRegistry.open(this.runIdBytes.toString('hex'), dir);
    options.onRegistry?.(this.registry);
    this.topology = new RunningTopology(plan, this.runs, joined, {
      runId: this.runIdBytes.toString('hex'),
      logDir,
      registry: this.registry,
      signal: options.signal,
      log: this.log,
      info: this.info,
    });
  }

  private readonly log = (line: string): void => void this.clientLog.write(`${line}\n`);

  private readonly info = (line: string): void => {
    this.log(line);
    this.options.progress.info(line);
  };

  private get name(): string {
    return this.run.cluster.name;
  }

  /** Starts the clusters, proxies and replicators, then the clients (placed by region) and the replication watch. */
  async start(): Promise<void> {
    const { progress, signal, outputs } = this.options;
    const { cluster } = this.run;
    const names = this.runs.map((r) => `${r.cluster.name}: ${r.cluster.system} (${r.cluster.provider})`).join(', ');
    progress.info(
      `${this.joined ? `starting together ${names}` : `${this.name}: starting ${cluster.system} (${cluster.provider})`} — logs in ${join(this.dir, 'logs')}`,
    );
    await outputs.checkpoint(this.partial(undefined, undefined), this.dir);
    try {
      await this.topology.start();
    } finally {
      this.cluster = this.topology.member(this.name)?.cluster;
    }
    if (signal.aborted) throw new Error(interruptReason(signal));
    const running = this.cluster!;
    const clientContext = {
      endpoints: running.endpoints,
      producerOptions: this.run.producerOptions,
      consumerOptions: this.run.consumerOptions,
      log: this.log,
      clock: this.clock.now,
    };
    this.placement = this.topology.member(this.name)!.regions ? clientPlacement(this.plan, running) : undefined;
    this.client = this.placement
      ? new PlacedClient(this.run.driver, clientContext, this.placement)
      : this.run.driver.createClient(clientContext);
    if (this.topology.replicators.length > 0) {
      this.replicated = await ReplicationRun.start(this.topology, this.client, {
        runId: this.runIdBytes,
        clock: this.clock,
        log: this.log,
        info: this.info,
        signal,
        readyTimeoutMs: CONSUMER_READY_TIMEOUT_MS,
      });
      this.client = this.replicated.client;
    }
    progress.info(`${this.name}: ${running.endpoints.bootstrap} ready; connecting ${this.run.driver.name} clients`);
  }

  /** The open-loop load, with the fault timeline, resource sampling and the outputs' progress alongside. */
  async drive(): Promise<void> {
    if (this.plan.scenario.workload.rateSearch) return this.driveSearch();
    const { progress, signal, outputs } = this.options;
    const { placement, replicated, run } = this;
    const part = { cluster: this.name, dir: this.dir };
    this.outcome = await runLoad(
      this.client!,
      {
        runId: this.runIdBytes,
        topics: run.loadTopics,
        workload: this.plan.scenario.workload,
        consumerReadyTimeoutMs: CONSUMER_READY_TIMEOUT_MS,
        ...(placement ? { regions: { ...placement, relocation: replicated?.relocation } } : {}),
      },
      this.clock,
      {
        signal,
        onStart: (collector) => {
          this.resources = new ResourceSampler(runProcesses(this.topology), this.clock.now).start();
          const scheduled = run.faults.length ? ` with ${run.faults.length} fault(s) scheduled` : '';
          progress.info(`${this.name}: load started${scheduled}`);
          if (run.faults.length > 0 && this.cluster)
            this.injector = new FaultInjector(run.faults, this.cluster, {
              clock: this.clock.now,
              collector,
              ...this.topology.faultNetwork(),
              random: seededRandom(this.plan.scenario.nemesis?.seed ?? 1),
              log: this.info,
              mirrorMakers: mirrorMakerControls(this.topology.replicators),
              peers: this.topology.peerProcesses(this.name),
            });
          replicated?.onLoadStart(this.injector);
          const replication = replicated && (() => replicated.flowFigures());
          outputs.loadStarted({ faults: this.injector, replication, resources: this.resources }, part);
          this.injector?.start();
        },
        beforeDrain: async () => {
          if (!this.injector) return;
          progress.info(
            `${this.name}: producing ended; healing every fault before the drain (but those that last forever)`,
          );
          await this.injector.healAll();
        },
        onProgress: (p) => {
          progress.load(p, this.name);
          outputs.progress(p, part, () => this.partial(p.snapshot(), { ...p.counts }));
        },
      },
    );
    progress.done();
    this.faultsUntilMs = this.clock.now();
  }

  /** A max-rate search instead of one load: steps on the same cluster and clients (max-rate-run.ts). */
  private async driveSearch(): Promise<void> {
    const { progress, signal, outputs } = this.options;
    const part = { cluster: this.name, dir: this.dir };
    const { placement } = this;
    outputs.loadStarted({}, part);
    this.search = new MaxRateRun({
      ...this.base(),
      client: this.client!,
      clock: this.clock,
      signal,
      consumerReadyTimeoutMs: CONSUMER_READY_TIMEOUT_MS,
      ...(placement ? { regions: placement } : {}),
      info: this.info,
      onProgress: (p, label) => {
        progress.load(p, label);
        outputs.progress(p, part, () => this.partial(p.snapshot(), { ...p.counts }));
      },
    });
    this.outcome = await this.search.run();
    progress.done();
    if (!this.outcome) throw new Error(interruptReason(signal));
  }

  /** Waits (bounded by the drain timeout) for replication to catch up; an interrupted load is recorded as such. */
  async settle(): Promise<void> {
    const { signal } = this.options;
    if (this.replicated && !this.outcome!.interrupted)
      await this.replicated.settle(this.plan.scenario.workload.drainTimeout);
    if (this.outcome!.interrupted) this.failure = { status: 'interrupted', reason: interruptReason(signal) };
  }

  /** Records why the unit did not finish: an interrupt, an infrastructure error, or an unexpected one. */
  fail(error: unknown): void {
    const { signal, progress } = this.options;
    progress.done();
    this.failure = signal.aborted
      ? { status: 'interrupted', reason: interruptReason(signal) }
      : {
          status: 'error',
          reason: error instanceof InfrastructureError ? error.message : `unexpected error: ${errorMessage(error)}`,
        };
    this.log(`run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }

  /** Heals faults, stops sampling, clients, replication and the topology, in that order; never throws. */
  async close(): Promise<void> {
    await this.injector?.healAll().catch((error: unknown) => this.log(`healing faults failed: ${errorMessage(error)}`));
    this.resources?.stop();
    await this.client?.close().catch(() => {});
    await this.replicated?.close();
    await this.topology.stop();
    this.registry.close();
    this.options.onRegistry?.(undefined);
    await new Promise((done) => this.clientLog.end(done));
  }

  result(): RunResult {
    const faults = this.injector?.results(this.faultsUntilMs) ?? [];
    const result = buildResult({
      ...this.base(),
      endedAt: new Date(),
      metrics: this.outcome?.metrics,
      counts: this.outcome?.counts,
      outcome: this.outcome,
      faults,
      resources: this.resources?.samples(),
      ...(this.replicated ? this.replicated.figures(faults) : {}),
      ...(this.failure ? { status: this.failure.status, statusReason: this.failure.reason } : {}),
    });
    return this.search ? this.search.decorate(result) : result;
  }

  private base() {
    const plan = this.search?.resultPlan ?? this.plan;
    return { plan, run: this.run, startedAt: this.startedAt, cluster: this.cluster } as const;
  }

  private partial(metrics: CollectedMetrics | undefined, counts: ResultInput['counts']): RunResult {
    return buildResult({
      ...this.base(),
      endedAt: new Date(),
      metrics,
      counts,
      outcome: undefined,
      status: 'running',
      resources: this.resources?.samples(),
    });
  }
}

function clientPlacement(plan: RunPlan, cluster: RunningCluster): ClientPlacement {
  const { topology, scenario } = plan;
  return {
    producerRegion: (id) => regionOfProducer(topology, id % scenario.workload.producers),
    consumerRegions: topology.consumerRegions,
    endpointsIn: (region) => cluster.endpointsByRegion?.[region] ?? cluster.endpoints,
  };
}

function interruptReason(signal: AbortSignal): string {
  return `interrupted by ${String(signal.reason ?? 'a signal')}`;
}
