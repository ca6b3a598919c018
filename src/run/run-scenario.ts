/**
 * The whole pipeline for one scenario: for each cluster in turn, start it (provider), create its topics, drive
 * the workload (driver + load), collect, judge the criteria and hand the result to the outputs (result.json,
 * report.md …). Partial results are checkpointed during the load, and handed over whatever happens: error, Ctrl-C,
 * or a broker that will not start.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ProcessRegistry } from '../cluster/process-registry.js';
import type { RunningCluster } from '../cluster/provider.js';
import type { MessagingClient } from '../drivers/driver.js';
import { errorMessage, ExitCode, InfrastructureError } from '../errors.js';
import { type LoadOutcome, LoadClock, runLoad } from '../load/load-run.js';
import { PayloadCodec } from '../load/payload.js';
import type { CollectedMetrics } from '../metrics/collector.js';
import type { ClusterRun, RunPlan } from '../plan/plan.js';
import { FaultInjector } from '../faults/fault-injector.js';
import { seededRandom } from '../faults/targets.js';
import { type ClientPlacement, PlacedClient } from '../drivers/placed-client.js';
import { regionOfProducer } from '../topology/topology.js';
import type { JoinedClusters } from '../replication/replication-plan.js';
import { mirrorMakerControls } from '../replication/mirror-maker.js';
import { ReplicationRun } from './replication-run.js';
import { RunningTopology } from './running-topology.js';
import { runProcesses } from './run-processes.js';
import { ResourceSampler } from '../resources/resource-sampler.js';
import { buildResult, type ResultInput } from '../report/build-result.js';
import { loadRuns } from '../report/compare.js';
import type { Outputs } from '../report/outputs.js';
import type { ProgressReporter } from '../report/progress.js';
import type { RunResult } from '../report/result.js';

const CONSUMER_READY_TIMEOUT_MS = 60_000;

export interface RunOptions {
  /** Results directory; default results/<scenario>-<timestamp>. */
  outDir?: string;
  signal: AbortSignal;
  progress: ProgressReporter;
  /** What the run writes (result.json, report.md …): see report/outputs.ts. */
  outputs: Outputs;
  /** Receives the registry of the cluster being run, so a second Ctrl-C can kill its processes at once. */
  onRegistry?: (registry: ProcessRegistry | undefined) => void;
}

export interface ClusterRunOutcome {
  dir: string;
  result: RunResult;
}

export interface ScenarioOutcome {
  exitCode: number;
  outcomes: ClusterRunOutcome[];
}

export function defaultResultDir(name: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return resolve('results', `${name}-${stamp}`);
}

export async function runScenario(plan: RunPlan, options: RunOptions): Promise<ScenarioOutcome> {
  const baseDir = resolve(options.outDir ?? defaultResultDir(plan.scenario.name));
  const outcomes: ClusterRunOutcome[] = [];
  await options.outputs.open();
  // Clusters joined by replication run together, as one unit, where the workload's cluster is declared.
  const joinedOf = (name: string) => plan.joined.find((group) => group.clusters.includes(name));
  const units = plan.runs.filter(
    (run) => (joinedOf(run.cluster.name)?.workload ?? run.cluster.name) === run.cluster.name,
  );
  try {
    for (const run of units) {
      const dir = units.length === 1 ? baseDir : join(baseDir, run.cluster.name);
      outcomes.push({ dir, result: await runCluster(plan, run, dir, options, joinedOf(run.cluster.name)) });
      if (options.signal.aborted) break;
    }
    if (outcomes.length > 1) {
      await options.outputs.comparison(await loadRuns(outcomes.map((o) => o.dir)), baseDir);
      options.progress.info(`comparison of ${outcomes.length} clusters written to ${baseDir}`);
    }
  } finally {
    await options.outputs.close();
  }
  return { exitCode: exitCodeOf(outcomes.map((o) => o.result.status)), outcomes };
}

export function exitCodeOf(statuses: RunResult['status'][]): number {
  if (statuses.includes('interrupted')) return ExitCode.interrupted;
  if (statuses.includes('error')) return ExitCode.infrastructure;
  if (statuses.includes('failed')) return ExitCode.criteriaFailed;
  return ExitCode.passed;
}

async function runCluster(
  plan: RunPlan,
  run: ClusterRun,
  dir: string,
  options: RunOptions,
  joined?: JoinedClusters,
): Promise<RunResult> {
  const { progress, signal, outputs } = options;
  const logDir = join(dir, 'logs');
  await mkdir(logDir, { recursive: true });
  const runIdBytes = PayloadCodec.newRunId();
  const runId = runIdBytes.toString('hex');
  const clientLog = createWriteStream(join(logDir, 'client.log'), { flags: 'a' });
  const log = (line: string) => clientLog.write(`${line}\n`);
  const runs = joined ? plan.runs.filter((r) => joined.clusters.includes(r.cluster.name)) : [run];
  const registry = ProcessRegistry.open(runId, dir);
  options.onRegistry?.(registry);
  const topology = new RunningTopology(plan, runs, joined, {
    runId,
    logDir,
    registry,
    signal,
    log,
    info: (line) => {
      log(line);
      progress.info(line);
    },
  });
  const startedAt = new Date();
  let cluster: RunningCluster | undefined;
  let client: MessagingClient | undefined;
  let replicated: ReplicationRun | undefined;
  let injector: FaultInjector | undefined;
  let resources: ResourceSampler | undefined;
  let faultsUntilMs = 0;
  let outcome: LoadOutcome | undefined;
  let failure: { status: 'error' | 'interrupted'; reason: string } | undefined;
  const base = { plan, run, startedAt } as const;
  const partial = (metrics: CollectedMetrics | undefined, counts: ResultInput['counts']) =>
    buildResult({
      ...base,
      ...{ cluster, endedAt: new Date(), metrics, counts, outcome: undefined, status: 'running' },
      resources: resources?.samples(),
    });

  try {
    const names = runs.map((r) => `${r.cluster.name}: ${r.cluster.system} (${r.cluster.provider})`).join(', ');
    progress.info(
      `${joined ? `starting together ${names}` : `${run.cluster.name}: starting ${run.cluster.system} (${run.cluster.provider})`} — logs in ${logDir}`,
    );
    await outputs.checkpoint(partial(undefined, undefined), dir);
    const info = (line: string) => {
      log(line);
      progress.info(line);
    };
    try {
      await topology.start();
    } finally {
      cluster = topology.member(run.cluster.name)?.cluster;
    }
    throwIfAborted(signal);
    const { regions } = topology.member(run.cluster.name)!;
    const clock = new LoadClock();
    const clientContext = {
      endpoints: cluster!.endpoints,
      producerOptions: run.producerOptions,
      consumerOptions: run.consumerOptions,
      log,
      clock: clock.now,
    };
    const placement = regions ? clientPlacement(plan, cluster!) : undefined;
    client = placement
      ? new PlacedClient(run.driver, clientContext, placement)
      : run.driver.createClient(clientContext);
    if (topology.replicators.length > 0) {
      replicated = await ReplicationRun.start(topology, client, {
        runId: runIdBytes,
        clock,
        log,
        info,
        signal,
        readyTimeoutMs: CONSUMER_READY_TIMEOUT_MS,
      });
      client = replicated.client;
    }
    progress.info(`${run.cluster.name}: ${cluster!.endpoints.bootstrap} ready; connecting ${run.driver.name} clients`);
    outcome = await runLoad(
      client,
      {
        runId: runIdBytes,
        topics: run.loadTopics,
        workload: plan.scenario.workload,
        consumerReadyTimeoutMs: CONSUMER_READY_TIMEOUT_MS,
        ...(placement ? { regions: { ...placement, relocation: replicated?.relocation } } : {}),
      },
      clock,
      {
        signal,
        onStart: (collector) => {
          resources = new ResourceSampler(runProcesses(topology), clock.now).start();
          progress.info(
            `${run.cluster.name}: load started${run.faults.length ? ` with ${run.faults.length} fault(s) scheduled` : ''}`,
          );
          if (run.faults.length > 0 && cluster)
            injector = new FaultInjector(run.faults, cluster, {
              clock: clock.now,
              collector,
              ...topology.faultNetwork(),
              random: seededRandom(plan.scenario.nemesis?.seed ?? 1),
              log: info,
              mirrorMakers: mirrorMakerControls(topology.replicators),
            });
          replicated?.onLoadStart(injector);
          const replication = replicated && (() => replicated!.flowFigures());
          outputs.loadStarted({ faults: injector, replication, resources }, { cluster: run.cluster.name, dir });
          injector?.start();
        },
        beforeDrain: async () => {
          if (!injector) return;
          progress.info(
            `${run.cluster.name}: producing ended; healing every fault before the drain (but those that last forever)`,
          );
          await injector.healAll();
        },
        onProgress: (p) => {
          progress.load(p, run.cluster.name);
          outputs.progress(p, { cluster: run.cluster.name, dir }, () => partial(p.snapshot(), { ...p.counts }));
        },
      },
    );
    progress.done();
    faultsUntilMs = clock.now();
    if (replicated && !outcome.interrupted) await replicated.settle(plan.scenario.workload.drainTimeout);
    if (outcome.interrupted) failure = { status: 'interrupted', reason: interruptReason(signal) };
  } catch (error) {
    progress.done();
    failure = signal.aborted
      ? { status: 'interrupted', reason: interruptReason(signal) }
      : {
          status: 'error',
          reason: error instanceof InfrastructureError ? error.message : `unexpected error: ${errorMessage(error)}`,
        };
    log(`run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } finally {
    await injector?.healAll().catch((error: unknown) => log(`healing faults failed: ${errorMessage(error)}`));
    resources?.stop();
    await client?.close().catch(() => {});
    await replicated?.close();
    await topology.stop();
    registry.close();
    options.onRegistry?.(undefined);
    await new Promise((done) => clientLog.end(done));
  }

  const result = buildResult({
    ...base,
    cluster,
    endedAt: new Date(),
    metrics: outcome?.metrics,
    counts: outcome?.counts,
    outcome,
    faults: injector?.results(faultsUntilMs) ?? [],
    resources: resources?.samples(),
    ...(replicated ? replicated.figures(injector?.results(faultsUntilMs) ?? []) : {}),
    ...(failure ? { status: failure.status, statusReason: failure.reason } : {}),
  });
  await outputs.result(result, dir);
  return result;
}

function clientPlacement(plan: RunPlan, cluster: RunningCluster): ClientPlacement {
  const { topology, scenario } = plan;
  return {
    producerRegion: (id) => regionOfProducer(topology, id % scenario.workload.producers),
    consumerRegions: topology.consumerRegions,
    endpointsIn: (region) => cluster.endpointsByRegion?.[region] ?? cluster.endpoints,
  };
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new Error(interruptReason(signal));
}

function interruptReason(signal: AbortSignal): string {
  return `interrupted by ${String(signal.reason ?? 'a signal')}`;
}
