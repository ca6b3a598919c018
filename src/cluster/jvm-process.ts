/**
 * A JVM process started by the JVM runtime (jvm-runtime.ts): marked with the run's id on its command line,
 * recorded in the run registry, output into a log file, and stopped politely (SIGTERM) then firmly (SIGKILL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { InfrastructureError } from '../errors.js';
import { type ProcessRegistry, processMarkers } from './process-registry.js';
import type { ProviderContext } from './provider.js';
import type { LaunchSpec } from './runtime.js';
import { startupFailureReason } from './startup-failure.js';

/** A launch spec with the registry that records the process (the JVM runtime's input). */
export type JvmLaunch = LaunchSpec & { registry: ProcessRegistry };

/**
 * The java command line of a launch: JVM flags, the run's markers (so the watchdog and `faultline clean` find the
 * process after a crashed harness), the classpath, the main class and its arguments.
 */
export function javaCommandLine(spec: LaunchSpec, runId: string): string[] {
  return [...spec.jvmArgs, ...processMarkers(runId), '-cp', spec.classpath, spec.mainClass, ...spec.args];
}

/** A JVM launch that can be repeated: a broker that faults stop and start again. */
export class RestartableJvm {
  private current: JvmProcess | undefined;

  constructor(private readonly launch: JvmLaunch) {}

  start(): JvmProcess {
    if (this.current?.running) return this.current;
    this.current = JvmProcess.start(this.launch);
    return this.current;
  }

  get process(): JvmProcess | undefined {
    return this.current;
  }

  get running(): boolean {
    return this.current?.running ?? false;
  }

  async stop(graceMs?: number): Promise<void> {
    await this.current?.stop(graceMs);
  }
}

export class JvmProcess {
  private exitCode: number | null | undefined = undefined;
  readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    private readonly launch: JvmLaunch,
  ) {
    const { registry } = launch;
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        registry.removeProcess(this.pid);
        resolve(this.exitCode);
      });
    });
  }

  static start(launch: JvmLaunch): JvmProcess {
    const out = openSync(launch.outputFile, 'a');
    try {
      const child = spawn('java', javaCommandLine(launch, launch.registry.runId), {
        stdio: ['ignore', out, out],
        // Own process group: a terminal's Ctrl-C reaches only the harness, which then stops brokers in order.
        detached: true,
      });
      if (child.pid === undefined) throw new InfrastructureError(`could not start ${launch.name}: java did not launch`);
      launch.registry.addProcess(child.pid, launch.name);
      return new JvmProcess(launch.name, child, launch);
    } finally {
      closeSync(out);
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Why it failed, in one line (its log's first error and innermost exception), and where to read more. */
  failureReason(): string {
    const read = (file: string | undefined) => {
      if (!file) return [];
      try {
        return readFileSync(file, 'utf8').split('\n');
      } catch {
        return [];
      }
    };
    const reason = startupFailureReason(read(this.launch.logFile), read(this.launch.outputFile).slice(-200));
    return `${reason} (log: ${this.launch.logFile ?? this.launch.outputFile})`;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGCONT');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Runs a JVM tool to completion (e.g. Kafka's storage format); rejects with its output when it fails. */
export async function runJvmTool(launch: JvmLaunch): Promise<void> {
  const tool = JvmProcess.start(launch);
  const code = await tool.exited;
  if (code !== 0) throw new InfrastructureError(`${launch.name} failed (exit ${code}): ${tool.failureReason()}`);
}

/**
 * A start-up error in one line, prefixed with the cluster and where the scenario declares it, e.g.
 * `cluster "main" (scenario.yaml:3): broker main-broker-1 exited (code 1) during start-up: …`.
 */
export function clusterStartupError(
  clusterName: string,
  context: Pick<ProviderContext, 'source'>,
  error: unknown,
): unknown {
  if (!(error instanceof InfrastructureError)) return error;
  const where = context.source ? ` (${context.source})` : '';
  return new InfrastructureError(`cluster "${clusterName}"${where}: ${error.message}`, { cause: error });
}

/** -Xms/-Xmx for a broker heap of `bytes` (default 1 GiB); the initial heap is at most 512 MiB. */
export function heapFlags(bytes = 1024 ** 3): string[] {
  const mib = Math.max(128, Math.round(bytes / 1024 ** 2));
  return [`-Xms${Math.min(512, mib)}m`, `-Xmx${mib}m`];
}
