/**
 * The JVM runtime: a launch spec becomes a `java` process on this machine (jvm-process.ts), marked with the run id
 * on its command line and recorded in the run registry; kill is SIGKILL, stop SIGTERM then SIGKILL after the grace,
 * pause and resume SIGSTOP and SIGCONT.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import type { ProcessRegistry } from './process-registry.js';
import { type JvmProcess, RestartableJvm, runJvmTool } from './jvm-process.js';
import type { LaunchSpec, ProcessControl, ProcessDescription, Runtime } from './runtime.js';
import { requireTool } from './toolchain.js';

/** How many lines `logTail()` gives by default. */
const TAIL_LINES = 50;

class JvmControl implements ProcessControl {
  private readonly jvm: RestartableJvm;
  private started = false;

  constructor(
    private readonly spec: LaunchSpec,
    registry: ProcessRegistry,
  ) {
    this.jvm = new RestartableJvm({ ...spec, registry });
  }

  get name(): string {
    return this.spec.name;
  }

  get running(): boolean {
    return this.jvm.running;
  }

  private get process(): JvmProcess | undefined {
    return this.jvm.process;
  }

  async start(): Promise<void> {
    if (this.jvm.running) return;
    if (this.started) appendFileSync(this.spec.outputFile, `\n--- faultline: starting ${this.spec.name} again ---\n`);
    this.started = true;
    this.jvm.start();
  }

  async kill(): Promise<void> {
    const process = this.process;
    if (!process?.running) return;
    process.signal('SIGKILL');
    await process.exited;
  }

  stop(graceMs?: number): Promise<void> {
    return this.jvm.stop(graceMs);
  }

  async pause(): Promise<void> {
    this.process?.signal('SIGSTOP');
  }

  async resume(): Promise<void> {
    this.process?.signal('SIGCONT');
  }

  exited(): Promise<number | null> {
    return this.process?.exited ?? Promise.resolve(null);
  }

  logTail(lines = TAIL_LINES): string[] {
    try {
      const text = readFileSync(this.spec.logFile ?? this.spec.outputFile, 'utf8');
      return text
        .split('\n')
        .filter((line) => line.length > 0)
        .slice(-lines);
    } catch {
      return [];
    }
  }

  failureReason(): string {
    return this.process?.failureReason() ?? `${this.spec.name} was never started`;
  }

  describe(): ProcessDescription {
    const process = this.process;
    return process?.running ? { pid: process.pid } : {};
  }
}

export const jvmRuntime: Runtime = {
  name: 'jvm',
  requireReady: () => requireTool('java'),
  async launch(spec, registry) {
    const control = new JvmControl(spec, registry);
    await control.start();
    return control;
  },
  runTool: (spec, registry) => runJvmTool({ ...spec, registry }),
};
