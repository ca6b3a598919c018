#!/usr/bin/env node
/**
 * faultline's command line. Exit codes: 0 criteria passed, 1 a criterion failed, 2 invalid scenario or usage,
 * 3 infrastructure error, 4 a regression against the baseline (compare --baseline), 130 interrupted.
 */
import { describeReplication } from './replication/replication-plan.js';
import { describeFailover } from './replication/failover-plan.js';
import { appendFileSync, existsSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { cacheDir } from './cluster/cache.js';
import { Command, CommanderError } from 'commander';
import { cleanOrphans, type ProcessRegistry } from './cluster/process-registry.js';
import { buildImages, wantedImages } from './cluster/docker/images-command.js';
import { describeImage } from './cluster/docker/image-inspect.js';
import type { SystemName } from './systems/facts.js';
import { allSystems, findProvider, systemOf } from './systems/systems.js';
import { ExitCode, errorMessage } from './errors.js';
import { faultlineVersion } from './package-root.js';
import { ensureToxiproxy, TOXIPROXY_VERSION } from './net/toxiproxy-server.js';
import { describeTopology } from './topology/topology.js';
import { buildPlan } from './plan/plan.js';
import { compareRuns, pickRuns, renderComparison } from './report/compare.js';
import { judgeAgainstBaseline } from './report/regression-command.js';
import { createOutputs, type OutputCommand, type Outputs, outputOptions } from './report/outputs.js';
import { progressReporter } from './report/progress.js';
import type { RunResult } from './report/result.js';
import { type ScenarioOutcome, runScenario } from './run/run-scenario.js';
import { parseRepeat, REPEAT_HELP, runRepeated } from './run/repeat-runs.js';
import { type SuiteFlags, suiteCommand } from './run/suite-command.js';
import { loadScenarioFile } from './scenario/load-scenario.js';
import { scenarioJsonSchema } from './scenario/schema.js';

const program = new Command()
  .name('faultline')
  .description('Benchmark and chaos-testing harness for Apache Kafka and Apache Pulsar')
  .version(faultlineVersion)
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

/** A command with the options of the outputs it can write (report/outputs.ts). */
const SET_FLAG = '--set <path=value>';
const SET_HELP =
  'override a scenario field, validated like the file (repeatable): --set workload.rate=5000/s --set topics[0].partitions=6';

function withOutputs(name: OutputCommand): Command {
  const command = program.command(name);
  for (const option of outputOptions(name)) command.addOption(option);
  return command;
}

withOutputs('run')
  .description('run a scenario: start its clusters, drive the load, judge the criteria, write results')
  .argument('<file>', 'scenario YAML file')
  .option('-o, --out <dir>', 'results directory (default: results/<scenario>-<timestamp>)')
  .option('-q, --quiet', 'no progress output')
  .option(SET_FLAG, SET_HELP, collectSet)
  .option('--repeat <n>', REPEAT_HELP)
  .action(async (file: string, options: { out?: string; quiet?: boolean; set?: string[]; repeat?: string }) => {
    const repeat = options.repeat === undefined ? undefined : parseRepeat(options.repeat);
    const plan = await buildPlan(await loadScenarioFile(file, { set: options.set }));
    const outputs = createOutputs('run', options);
    const progress = progressReporter(process.stderr, options.quiet);
    const { controller, onRegistry } = stopOnSignals((signal) =>
      progress.info(`${signal}: stopping the run and writing partial results (again to kill at once)`),
    );
    const how = {
      ...(options.out ? { outDir: options.out } : {}),
      signal: controller.signal,
      progress,
      onRegistry,
    };
    const outcome = repeat
      ? await runRepeated(plan, how, repeat, options)
      : await runScenario(plan, { ...how, outputs });
    printSummary(outcome, outputs);
    process.exitCode = outcome.exitCode;
  });

program
  .command('validate')
  .description('check scenario files without running them')
  .argument('<files...>', 'scenario YAML files')
  .option(SET_FLAG, SET_HELP, collectSet)
  .action(async (files: string[], options: { set?: string[] }) => {
    let failed = false;
    for (const file of files) {
      try {
        const plan = await buildPlan(await loadScenarioFile(file, { set: options.set }));
        process.stdout.write(`ok: ${file} (${plan.runs.length} cluster(s), ${plan.criteria.length} criteria)\n`);
        for (const line of describeTopology(plan.topology)) process.stdout.write(`  ${line}\n`);
        for (const line of describeReplication(plan)) process.stdout.write(`  ${line}\n`);
        for (const failover of plan.failovers) process.stdout.write(`  ${describeFailover(failover)}\n`);
      } catch (error) {
        if (exitCodeOf(error) !== ExitCode.invalidInput) throw error;
        process.stderr.write(`${errorMessage(error)}\n`);
        failed = true;
      }
    }
    if (failed) process.exitCode = ExitCode.invalidInput;
  });

withOutputs('report')
  .description('re-render the reports (report.md …) from the result.json in a results directory')
  .argument('<dir>', 'results directory')
  .action(async (dir: string, options: Record<string, unknown>) => {
    const files = await resultFiles(dir);
    if (files.length === 0) throw usage(`${dir}: no result.json here (nor in its subdirectories)`);
    const outputs = createOutputs('report', options);
    await outputs.open();
    for (const file of files) {
      const result = JSON.parse(await readFile(file, 'utf8')) as RunResult;
      await outputs.result(result, join(file, '..'));
      process.stdout.write(`wrote ${outputs.written('result').join(', ')} in ${join(file, '..')}\n`);
    }
    await outputs.close();
  });

withOutputs('compare')
  .description(
    'compare runs side by side (Kafka vs Pulsar, tonight vs baseline): writes comparison.md and comparison.json',
  )
  .argument(
    '<dirs...>',
    "a run's directory (a run of several clusters compares its clusters), one scenario's results directory (the runs in its subdirectories), or runs named one by one",
  )
  .option(
    '-o, --out <dir>',
    'where to write the comparison (default: the directory given, if one; else the current directory)',
  )
  .option(
    '--baseline <dir>',
    'judge regression of the one run given against this baseline run (exit 4 on a regression)',
  )
  .option(
    '--threshold <figure=change>',
    "with --baseline: a regression check, replacing the default or the scenario's for that figure (repeatable): --threshold latency.publish.p99=+10% --threshold throughput.produced.messagesPerSec=-5% --threshold messages.lost=off",
    collectSet,
  )
  .option('--scenario <file>', "with --baseline: take the regression checks from this scenario's regression: section")
  .action(async (dirs: string[], options: CompareOptions) => {
    if (options.baseline !== undefined) return compareWithBaseline(options.baseline, dirs, options);
    if (options.threshold || options.scenario || options.junit)
      throw usage('--threshold, --scenario and --junit go with --baseline: faultline compare --baseline BASE RUN');
    const { runs, picked } = await pickRuns(dirs);
    if (runs.length < 2) throw usage(`compare needs at least two runs; found ${runs.length}: ${picked.join('; ')}`);
    const out = options.out ?? (dirs.length === 1 ? dirs[0]! : '.');
    const width = Math.max(...runs.map((run) => run.label.length));
    process.stdout.write(
      `comparing ${runs.length} runs (${picked.join('; ')}):\n` +
        runs
          .map(
            ({ label, dir, result: r }) =>
              `  ${label.padEnd(width)}  ${r.cluster.system} ${r.cluster.version}, ${r.status}, started ${r.startedAt}  ${dir}`,
          )
          .join('\n') +
        '\n\n',
    );
    const outputs = createOutputs('compare', options);
    await outputs.open();
    await outputs.comparison(runs, out);
    await outputs.close();
    process.stdout.write(renderComparison(compareRuns(runs)));
    process.stdout.write(`\nwrote ${outputs.written('comparison').join(', ')} in ${out}\n`);
  });

type CompareOptions = { out?: string; baseline?: string; threshold?: string[]; scenario?: string } & Record<
  string,
  unknown
>;

async function compareWithBaseline(baseline: string, dirs: string[], options: CompareOptions): Promise<void> {
  if (dirs.length !== 1)
    throw usage(`compare --baseline BASE takes one run to judge, got ${dirs.length}: ${dirs.join(' ')}`);
  const run = dirs[0]!;
  const { runs, verdict } = await judgeAgainstBaseline(baseline, run, {
    ...(options.threshold ? { thresholds: options.threshold } : {}),
    ...(options.scenario ? { scenario: options.scenario } : {}),
  });
  const out = options.out ?? (statSync(run).isFile() ? dirname(run) : run);
  const outputs = createOutputs('compare', options);
  await outputs.open();
  await outputs.comparison(runs, out, verdict);
  await outputs.close();
  for (const row of verdict.rows)
    process.stdout.write(
      `${row.status === 'regressed' ? 'REGRESSED' : row.status.padEnd(9)}  ${row.part}: ${row.figure} ${row.change}  baseline ${row.baseline ?? '—'}, run ${row.run ?? '—'}: ${row.reason}\n`,
    );
  process.stdout.write(
    `${verdict.regressed === 0 ? 'no regression' : `${verdict.regressed} regression${verdict.regressed === 1 ? '' : 's'}`} against ${baseline} (${verdict.rows.length} checks)\n` +
      `wrote ${outputs.written('comparison').join(', ')} in ${out}\n`,
  );
  if (verdict.regressed > 0) process.exitCode = ExitCode.regressed;
}

/**
 * SIGINT/SIGTERM: the first aborts the run (partial results are written), a second kills the running cluster's
 * processes at once and exits 130. `onRegistry` tells it which processes are running.
 */
function stopOnSignals(onFirst?: (signal: NodeJS.Signals) => void): {
  controller: AbortController;
  onRegistry: (current: ProcessRegistry | undefined) => void;
} {
  const controller = new AbortController();
  let registry: ProcessRegistry | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      registry?.killAllSync();
      process.exit(ExitCode.interrupted);
    }
    onFirst?.(signal);
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { controller, onRegistry: (current) => (registry = current) };
}

program
  .command('suite')
  .description(
    'run every scenario file of a folder in name order under a time budget: one summary table, one exit code (the worst)',
  )
  .argument('<dir>', 'folder of scenario files (*.yaml, *.yml)')
  .option('-o, --out <dir>', 'results directory (default: results/suite-<timestamp>), one folder per scenario name')
  .option('--budget <duration>', 'total time: a scenario whose estimated end falls after it is skipped', '40m')
  .option('--baseline-dir <dir>', 'judge each run against DIR/<scenario name> as compare --baseline does (exit 4)')
  .option('--junit <file>', 'one JUnit XML file of every scenario: criteria, regression checks, skipped and invalid')
  .option('--summary <file>', 'append the summary table here (default: $GITHUB_STEP_SUMMARY when set)')
  .option('--repeat <n>', 'run each scenario N times (see run --repeat)')
  .option('-q, --quiet', 'no progress output')
  .action(async (dir: string, options: SuiteFlags & { quiet?: boolean }) => {
    const { controller, onRegistry } = stopOnSignals();
    process.exitCode = await suiteCommand(dir, options, {
      signal: controller.signal,
      progress: progressReporter(process.stderr, options.quiet),
      onRegistry,
    });
  });

program
  .command('setup')
  .description(
    'fetch broker artifacts ahead of a run (the versions the given scenarios name, else the default Kafka and Pulsar, and MirrorMaker 2) and build Toxiproxy',
  )
  .argument('[files...]', 'scenario files')
  .action(async (files: string[]) => {
    const wanted = new Map<string, { system: SystemName; version: string }>();
    // Replicators that run as their own process (MirrorMaker 2): the default version's (no files), or each
    // replication target's.
    const replicators = new Map<string, { system: SystemName; version: string }>();
    const wantReplicator = (system: SystemName, version: string | undefined) => {
      const artifact = systemOf(system).replicatorArtifact;
      const v = version ?? systemOf(system).defaultVersion;
      if (artifact) replicators.set(`${artifact.name} ${v}`, { system, version: v });
    };
    if (files.length === 0) {
      for (const { name: system, defaultVersion: version } of allSystems) {
        wanted.set(`${system} ${version}`, { system, version });
        wantReplicator(system, undefined);
      }
    }
    for (const file of files) {
      const plan = await buildPlan(await loadScenarioFile(file));
      for (const run of plan.runs) {
        const version = run.cluster.version ?? run.provider.defaultVersion;
        if (run.cluster.provider === 'local' && version)
          wanted.set(`${run.cluster.system} ${version}`, { system: run.cluster.system, version });
      }
      for (const replication of plan.replication) wantReplicator(replication.to.system, replication.to.version);
    }
    const log = (line: string) => process.stderr.write(`faultline: ${line}\n`);
    for (const [label, { system, version }] of wanted) {
      await findProvider(system, 'local')!.prepare(version, log);
      process.stdout.write(`ready: ${label}\n`);
    }
    for (const [label, { system, version }] of replicators) {
      await systemOf(system).replicatorArtifact!.prepare(version, log);
      process.stdout.write(`ready: ${label}\n`);
    }
    try {
      process.stdout.write(`ready: toxiproxy ${TOXIPROXY_VERSION} (${await ensureToxiproxy(log)})\n`);
    } catch (error) {
      process.stdout.write(`skipped: toxiproxy — ${errorMessage(error)} (needed only for network faults)\n`);
    }
  });

program
  .command('images')
  .description('container images for provider: docker')
  .command('build')
  .description(
    'build the base image (Debian + Java 17, by debootstrap) and the broker images (the Maven Central jars) for the versions the scenarios name (else the default Kafka and Pulsar); once, cached by content',
  )
  .argument('[files...]', 'scenario files')
  .option(
    '--print-env',
    'print only FAULTLINE_<SYSTEM>_IMAGE=<tag> lines (the built tags, for compose/: `… --print-env > compose/.env`)',
  )
  .action(async (files: string[], options: { printEnv?: boolean }) => {
    const scenarios = await Promise.all(files.map(async (file) => (await loadScenarioFile(file)).scenario));
    const detail = cacheDir('docker', 'images-build.log');
    await mkdir(dirname(detail), { recursive: true });
    const log = {
      info: (line: string) => process.stderr.write(`faultline: ${line} (output: ${detail})\n`),
      detail: (line: string) => appendFileSync(detail, `${line}\n`),
    };
    const images = await buildImages(wantedImages(scenarios), log);
    for (const image of images)
      if (!options.printEnv) process.stdout.write(`image: ${describeImage(image)}\n`);
      else if (image.labels['faultline.system'])
        process.stdout.write(`FAULTLINE_${image.labels['faultline.system'].toUpperCase()}_IMAGE=${image.tag}\n`);
  });

program
  .command('clean')
  .description('stop brokers and proxies left behind by a faultline run that crashed or was killed')
  .option('--all', 'stop the processes of every faultline run, including runs still in progress')
  .action((options: { all?: boolean }) => {
    const report = cleanOrphans({ all: options.all ?? false });
    for (const p of report.killed) process.stdout.write(`stopped pid ${p.pid} (${p.name}, run ${p.runId})\n`);
    for (const c of report.containers) process.stdout.write(`removed container ${c.id} (${c.name}, run ${c.runId})\n`);
    for (const runId of report.runsClosed) process.stdout.write(`closed run ${runId}\n`);
    if (report.killed.length === 0 && report.containers.length === 0 && report.runsClosed.length === 0)
      process.stdout.write('nothing to clean\n');
  });

program
  .command('schema')
  .description('print the JSON Schema of scenario files (also shipped as schema/scenario.schema.json)')
  .action(() => {
    process.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
  });

function printSummary(outcome: ScenarioOutcome, outputs: Outputs): void {
  for (const { dir, result } of outcome.outcomes) {
    const r = result;
    const ms = (summary: { p50: number; p99: number; max: number } | null) =>
      summary ? `${summary.p50}/${summary.p99}/${summary.max} ms` : '— (nothing measured)';
    const m = r.messages;
    const lostNote = m.lost !== null && m.lostVerified === false ? ' (unverified)' : '';
    const lines = [
      `${r.scenario.name} on ${r.cluster.name} (${r.cluster.system} ${r.cluster.version}): ${r.status.toUpperCase()}${r.statusReason ? ` — ${r.statusReason}` : ''}`,
      ...r.warnings.map((w) => `  warning: ${w}`),
      `  produced ${r.throughput.produced?.messagesPerSec ?? '—'} msg/s, consumed ${r.throughput.consumed?.messagesPerSec ?? '—'} msg/s`,
      `  publish p50/p99/max ${ms(r.latency.publish)}` +
        (r.latency.endToEnd ? `, end-to-end p99 ${r.latency.endToEnd.p99} ms` : ''),
      `  messages sent ${m.sent}, acked ${m.acked ?? '—'}, consumed ${m.consumed ?? '—'}, ` +
        (m.notDelivered !== null ? `not delivered ${m.notDelivered}` : `lost ${m.lost ?? '—'}${lostNote}`) +
        `, duplicated ${m.duplicated ?? '—'} (log copies), redelivered ${m.redelivered ?? '—'}, reordered ${m.reordered ?? '—'}`,
      ...(m.consumed !== null
        ? [
            `  consumed without an ack ${m.consumedUnacked ?? '—'}, found in the log by the final read ${m.foundByFinalRead ?? '—'}`,
          ]
        : []),
      ...(r.replication?.flows ?? []).map(
        (f) =>
          `  replication ${f.from} → ${f.to}: lag p50/p99/max ${ms(f.lag)}, replicated ${f.messages.replicated} (${f.throughput?.messagesPerSec ?? '—'} msg/s), duplicated ${f.messages.duplicated}, not replicated ${f.messages.notReplicated}; replicator start → first record ${f.firstRecordMs ?? '—'} ms`,
      ),
      ...r.criteria.map(
        (c) =>
          `  ${c.passed ? 'pass' : 'FAIL'}  ${c.expression}  (actual ${c.actual ?? c.note}${c.actual !== null && c.note ? `; ${c.note}` : ''})`,
      ),
      `  results in ${dir}: ${outputs.written('result').join(', ')}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

async function resultFiles(dir: string): Promise<string[]> {
  if (existsSync(join(dir, 'result.json'))) return [join(dir, 'result.json')];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'result.json')))
    .map((e) => join(dir, e.name, 'result.json'));
}

function collectSet(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function usage(message: string): Error & { exitCode: number } {
  return Object.assign(new Error(message), { exitCode: ExitCode.invalidInput });
}

function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : ExitCode.invalidInput;
  const code = (error as { exitCode?: unknown } | null)?.exitCode;
  return typeof code === 'number' ? code : ExitCode.infrastructure;
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const code = exitCodeOf(error);
  if (!(error instanceof CommanderError)) {
    const known = typeof (error as { exitCode?: unknown } | null)?.exitCode === 'number';
    process.stderr.write(`${known ? '' : 'faultline: internal error: '}${errorMessage(error)}\n`);
    if (process.env.FAULTLINE_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  }
  process.exitCode = code;
}
// Client libraries may keep sockets or timers alive after a run: the exit code is decided, leave.
process.exit(process.exitCode ?? 0);
