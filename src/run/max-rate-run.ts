/**
 * A max-rate search on a running cluster: each step is one ordinary load (load-run.ts: open-loop schedule,
 * warm-up, window, drain, books) at a fixed offered rate, on the same cluster and messaging client (StepClients:
 * fresh producers per step, consumer groups kept), judged on its own figures (build-result.ts, with the `while`
 * conditions as its criteria). The search itself (which rate next, when to stop) is load/max-rate-search.ts.
 */
import type { RunningCluster } from '../cluster/provider.js';
import { parseCriterion } from '../criteria/criterion.js';
import type { MessagingClient } from '../drivers/driver.js';
import { type LoadClock, type LoadOutcome, type LoadPlan, type LoadProgress, runLoad } from '../load/load-run.js';
import { type SearchRun, searchMaxRate } from '../load/max-rate-search.js';
import { PayloadCodec } from '../load/payload.js';
import { StepClients } from '../load/step-clients.js';
import type { ClusterRun, RunPlan } from '../plan/plan.js';
import { buildResult } from '../report/build-result.js';
import { type MaxRateResult, type MaxRateStep, maxRateLine } from '../report/max-rate-result.js';
import type { RunResult } from '../report/result.js';
import type { WorkloadSpec } from '../scenario/schema.js';
import { round } from '../scenario/units.js';

/** A step whose acknowledged or sent rate falls below this share of the offered rate did not keep up: it fails. */
export const KEEP_UP = 0.97;

export interface MaxRateContext {
  plan: RunPlan;
  run: ClusterRun;
  cluster: RunningCluster | undefined;
  client: MessagingClient;
  clock: LoadClock;
  signal: AbortSignal;
  consumerReadyTimeoutMs: number;
  regions?: LoadPlan['regions'];
  info: (line: string) => void;
  /** Each second of a step's load; `label` names the step (cluster, step number, offered rate). */
  onProgress: (progress: LoadProgress, label: string) => void;
}

interface StepRecord extends Omit<MaxRateStep, 'rate'> {
  outcome: LoadOutcome;
  workload: WorkloadSpec;
}

export class MaxRateRun {
  private readonly startedMs = performance.now();
  private readonly steps: Array<StepRecord & { rate: number }> = [];
  private last: StepRecord | undefined;
  private search: SearchRun<StepRecord> | undefined;

  constructor(private readonly ctx: MaxRateContext) {}

  private get spec() {
    return this.ctx.plan.scenario.workload.rateSearch!;
  }

  /** Runs the search; resolves with the load outcome the result shows (highest passing step, else the last). */
  async run(): Promise<LoadOutcome | undefined> {
    const { from, upTo, factor, precision, maxSteps } = this.spec;
    const clients = new StepClients(this.ctx.client);
    try {
      this.search = await searchMaxRate({ from, upTo, factor, precision, maxSteps }, async (rate, index) => {
        const step = await this.step(clients, rate, index);
        if (this.ctx.signal.aborted || step.outcome.interrupted) return undefined;
        this.steps.push({ ...step, rate });
        const verdict = step.passed ? 'pass' : `fail (${step.reasons!.join('; ')})`;
        const figures = step.figures.map((f) => `${f.expression.split(/\s/)[0]} = ${f.actual ?? '—'}`).join(', ');
        this.ctx.info(
          `${this.ctx.run.cluster.name}: max-rate step ${index + 1} at ${rate}/s: ${verdict} — ${figures}; acknowledged ${step.achieved ?? '—'}/s, sent ${step.sent}/s`,
        );
        return step;
      });
      this.ctx.info(`${this.ctx.run.cluster.name}: ${maxRateLine(this.figures())}`);
    } finally {
      await clients.close();
    }
    const chosen = this.chosen()?.outcome;
    return chosen && { ...chosen, interrupted: this.ctx.signal.aborted };
  }

  /** The plan the result is built on: the chosen step's workload, the scenario's own criteria. */
  get resultPlan(): RunPlan {
    const chosen = this.chosen();
    if (!chosen) return this.ctx.plan;
    return { ...this.ctx.plan, scenario: { ...this.ctx.plan.scenario, workload: chosen.workload } };
  }

  /** The run's result (built on the chosen step's figures) with the search: `maxRate`, its warnings and verdict. */
  decorate(result: RunResult): RunResult {
    const maxRate = this.figures();
    const warnings: string[] = [];
    if (maxRate.rate === null && maxRate.steps.length > 0)
      warnings.push(`max-rate search: ${maxRateLine(maxRate)}; the figures are those of the last step tried`);
    if (maxRate.end === 'upTo')
      warnings.push(`max-rate search: every rate up to upTo (${this.spec.upTo}/s) passed: the max is at least that`);
    if (maxRate.end === 'maxSteps')
      warnings.push(`max-rate search: stopped after maxSteps (${this.spec.maxSteps}) before converging`);
    const failed = result.status === 'passed' && maxRate.rate === null;
    return {
      ...result,
      ...(failed ? { status: 'failed' as const } : {}),
      warnings: [...warnings, ...result.warnings],
      maxRate,
    };
  }

  figures(): MaxRateResult {
    const best = this.search?.best;
    const interval = this.search?.interval ?? intervalOf(this.steps);
    return {
      while: this.spec.while,
      rate: best?.rate ?? null,
      achieved: best?.achieved ?? null,
      end: this.search?.end ?? 'interrupted',
      interval: { ...interval, width: interval.width === null ? null : round(interval.width, 4) },
      precision: this.spec.precision,
      keepUp: KEEP_UP,
      steps: this.steps.map(({ outcome: _o, workload: _w, ...step }) => step),
      tookMs: Math.round(performance.now() - this.startedMs),
    };
  }

  private chosen(): StepRecord | undefined {
    return this.search?.best ?? this.last;
  }

  /** One step: an ordinary load at `rate` with the step's warm-up, window and drain, then its verdict. */
  private async step(clients: StepClients, rate: number, index: number): Promise<StepRecord> {
    const { plan, run, cluster, clock, signal } = this.ctx;
    const { stepWarmup, stepDuration, stepDrain } = this.spec;
    const fixed = { kind: 'fixed' as const, perSecond: rate };
    const workload: WorkloadSpec = {
      ...plan.scenario.workload,
      warmup: stepWarmup,
      duration: stepDuration,
      drainTimeout: stepDrain,
      rate: fixed,
      phases: [{ duration: stepDuration, rate: fixed }],
    };
    const startedAt = new Date();
    const began = performance.now();
    const label = `${run.cluster.name} max-rate step ${index + 1} at ${rate}/s`;
    let outcome: LoadOutcome;
    try {
      outcome = await runLoad(
        clients,
        {
          runId: PayloadCodec.newRunId(),
          topics: run.loadTopics,
          workload,
          consumerReadyTimeoutMs: this.ctx.consumerReadyTimeoutMs,
          ...(this.ctx.regions ? { regions: this.ctx.regions } : {}),
        },
        clock,
        { signal, onProgress: (p) => this.ctx.onProgress(p, label) },
      );
    } finally {
      await clients.endStep();
    }
    // The step's figures, judged as a run's: the `while` conditions are its criteria.
    const stepPlan: RunPlan = {
      ...plan,
      criteria: this.spec.while.map((w) => parseCriterion(w)),
      scenario: { ...plan.scenario, workload },
    };
    const r = buildResult({
      plan: stepPlan,
      run,
      cluster,
      startedAt,
      endedAt: new Date(),
      metrics: outcome.metrics,
      counts: outcome.counts,
      outcome,
    });
    const windowSeconds = stepDuration / 1000;
    const sentInWindow = outcome.metrics.timeline.filter((p) => p.phase === 'measure').reduce((n, p) => n + p.sent, 0);
    const sent = round(sentInWindow / windowSeconds, 3);
    const achieved = r.throughput.produced?.messagesPerSec ?? null;
    const reasons = [
      ...r.criteria.filter((c) => !c.passed).map((c) => `${c.expression}: ${c.actual ?? c.note ?? 'not measured'}`),
      ...(achieved !== null && achieved < KEEP_UP * rate ? [`acknowledged ${achieved}/s of ${rate}/s offered`] : []),
      ...(sent < KEEP_UP * rate ? [behindSchedule(outcome, sent, rate)] : []),
      ...(r.messages.failed > 0 ? [`${r.messages.failed} send(s) failed`] : []),
      ...(outcome.drained ? [] : [`did not drain within stepDrain (${stepDrain} ms)${undrained(outcome)}`]),
    ];
    const record: StepRecord = {
      passed: reasons.length === 0,
      ...(reasons.length > 0 ? { reasons } : {}),
      figures: r.criteria.map((c) => ({ expression: c.expression, actual: c.actual, passed: c.passed })),
      achieved,
      sent,
      publishP99: r.latency.publish?.p99 ?? null,
      tookMs: Math.round(performance.now() - began),
      outcome,
      workload,
    };
    this.last = record;
    return record;
  }
}

/** The producers sent less than the schedule asked: held back by unanswered sends (backpressure), or short of CPU. */
function behindSchedule(outcome: LoadOutcome, sent: number, rate: number): string {
  const { sendLagHeldForSlot, latency } = outcome.metrics;
  const held = sendLagHeldForSlot / Math.max(1, latency.sendLag.count);
  return held >= 0.01
    ? `sent ${sent}/s of ${rate}/s: sends waited for room (every send slot taken by sends not yet answered)`
    : `the producers fell behind the schedule (the harness, not the broker): sent ${sent}/s of ${rate}/s`;
}

function undrained(outcome: LoadOutcome): string {
  const parts = [
    outcome.unansweredAtDrainEnd > 0 ? `${outcome.unansweredAtDrainEnd} sends unanswered` : '',
    outcome.unsentAtDrainEnd > 0 ? `${outcome.unsentAtDrainEnd} never sent` : '',
    outcome.groups.some((g) => !g.caughtUp) ? 'consumers behind' : '',
  ].filter(Boolean);
  return parts.length ? `: ${parts.join(', ')}` : '';
}

function intervalOf(steps: Array<{ rate: number; passed: boolean }>) {
  const passed = Math.max(...steps.filter((s) => s.passed).map((s) => s.rate), -Infinity);
  const failed = Math.min(...steps.filter((s) => !s.passed && s.rate > passed).map((s) => s.rate), Infinity);
  const lo = Number.isFinite(passed) ? passed : null;
  const hi = Number.isFinite(failed) ? failed : null;
  return { passed: lo, failed: hi, width: lo !== null && hi !== null ? (hi - lo) / lo : null };
}
