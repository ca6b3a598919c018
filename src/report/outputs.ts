/**
 * What a run, a re-render or a comparison writes: a list of outputs chosen by flags (k6's "outputs"), each with
 * the same small interface. result.json, report.md, comparison.md … are peers: adding one is one file under
 * outputs/ and one line in OUTPUT_KINDS.
 */
import type { Option } from 'commander';
import type { Output, OutputCommand, OutputKind, LoadSources, RunPart } from './output.js';
import { errorMessage, InfrastructureError } from '../errors.js';
import type { LoadProgress } from '../load/load-run.js';
import type { ComparedRun } from './compare.js';
import { ciSummaryOutput } from './outputs/ci-summary-output.js';
import { comparisonHtmlOutput } from './outputs/comparison-html-output.js';
import { comparisonMarkdownOutput } from './outputs/comparison-markdown.js';
import { hlogOutput } from './outputs/hlog-output.js';
import { htmlReportOutput } from './outputs/html-report-output.js';
import { junitOutput } from './outputs/junit-output.js';
import { markdownReportOutput } from './outputs/markdown-report-output.js';
import { prometheusEndpointOutput } from './outputs/prometheus-endpoint.js';
import { resultJsonOutput } from './outputs/result-json.js';
import type { RegressionVerdict } from './regression.js';
import type { RunResult } from './result.js';

export type { LoadSources, Output, OutputCommand, OutputKind, RunPart } from './output.js';

/** Every output, in the order they write: result.json first, so a failing renderer cannot cost the figures. */
export const OUTPUT_KINDS: OutputKind[] = [
  resultJsonOutput,
  markdownReportOutput,
  htmlReportOutput,
  comparisonMarkdownOutput,
  comparisonHtmlOutput,
  hlogOutput,
  junitOutput,
  ciSummaryOutput,
  prometheusEndpointOutput,
];

export function outputOptions(command: OutputCommand): Option[] {
  return OUTPUT_KINDS.filter((kind) => kind.commands.includes(command)).flatMap((kind) => kind.options?.() ?? []);
}

export function createOutputs(command: OutputCommand, flags: Record<string, unknown>): Outputs {
  return new Outputs(
    OUTPUT_KINDS.filter((kind) => kind.commands.includes(command))
      .map((kind) => kind.create(flags, command))
      .filter((output): output is Output => output !== undefined),
  );
}

const CHECKPOINT_EVERY_MS = 5000;

/** The chosen outputs as one: each event goes to every output; one output failing does not stop the others. */
export class Outputs {
  private lastCheckpoint = new Map<string, number>();

  constructor(readonly list: Output[]) {}

  /** The names of the outputs that write on this event, for messages ("wrote result.json, report.md in …"). */
  written(event: 'result' | 'comparison'): string[] {
    return this.list.filter((o) => (event === 'result' ? o.onResult : o.onComparison)).map((o) => o.name);
  }

  async open(): Promise<void> {
    for (const output of this.list) await output.open?.();
  }

  loadStarted(sources: LoadSources, part: RunPart): void {
    for (const output of this.list) output.onLoadStart?.(sources, part);
  }

  /** Fans the progress out, and every few seconds a checkpoint of the partial result (built only then). */
  progress(progress: LoadProgress, part: RunPart, partial: () => RunResult): void {
    for (const output of this.list) output.onProgress?.(progress, part);
    const last = this.lastCheckpoint.get(part.dir) ?? 0;
    if (progress.elapsedMs - last < CHECKPOINT_EVERY_MS) return;
    this.lastCheckpoint.set(part.dir, progress.elapsedMs);
    this.checkpoint(partial(), part.dir).catch(() => {});
  }

  async checkpoint(result: RunResult, dir: string): Promise<void> {
    await this.each('checkpoint', (o) => o.onCheckpoint?.(result, dir));
  }

  async result(result: RunResult, dir: string): Promise<void> {
    await this.each('result', (o) => o.onResult?.(result, dir));
  }

  async comparison(runs: ComparedRun[], dir: string, regression?: RegressionVerdict): Promise<void> {
    await this.each('comparison', (o) => o.onComparison?.(runs, dir, regression));
  }

  async close(): Promise<void> {
    await this.each('close', (o) => o.close?.());
  }

  /** Calls every output; then, if some failed, one error naming each (an infrastructure failure: exit 3). */
  private async each(event: string, call: (output: Output) => Promise<void> | undefined): Promise<void> {
    const failures: string[] = [];
    for (const output of this.list) {
      try {
        await call(output);
      } catch (error) {
        failures.push(`${output.name}: ${errorMessage(error)}`);
      }
    }
    if (failures.length > 0) throw new InfrastructureError(`writing the ${event} failed — ${failures.join('; ')}`);
  }
}
