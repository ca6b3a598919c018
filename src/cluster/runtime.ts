/**
 * Where a broker, a MirrorMaker 2 worker or a broker tool runs: a JVM process on this machine (jvm-runtime.ts) or
 * a container (docker/). A system's layout code (ports, listeners, config files, data directory) is the same for
 * both; it describes the process as a `LaunchSpec` and hands it to the cluster's runtime, which starts it and
 * returns a `ProcessControl` that faults, readiness and teardown use. Nothing outside a runtime sends signals or
 * reads pids.
 *
 * Contract of `ProcessControl`:
 * - `kill()` ends the process at once (SIGKILL; `docker kill`) and resolves when it has exited.
 * - `stop(graceMs)` asks it to shut down (SIGTERM; `docker stop`), kills it after `graceMs`, resolves on exit.
 * - `pause()` freezes it (SIGSTOP; `docker pause`), `resume()` thaws it; both resolve once done. Pausing a process
 *   that does not run, and resuming one that is not paused (or does not run), are no-ops.
 * - `start()` starts it again with the same spec, configuration and data; a no-op while it runs. `launch` has
 *   already started it once.
 * - `exited()` resolves with the exit code (null: killed by a signal / unknown) when the current run ends.
 * - `logTail()` and `failureReason()` read the process's output, for start-up errors in one line.
 * Every process a runtime starts is marked with the run id (command-line marker, container label), so the
 * watchdog and `faultline clean` find it after a crashed harness.
 */
import type { ImageChoice } from './docker/image-choice.js';
import type { ProcessRegistry } from './process-registry.js';

/** A per-process cap, through cgroups (the container runtime's --cpus / --memory). */
export interface ResourceCaps {
  cpus?: number;
  memoryBytes?: number;
}

export interface LaunchSpec {
  /** Human name, unique in the run, e.g. "main/broker-1", "mm2". */
  name: string;
  /** Java main class and its arguments; the classpath comes from `classpath` (see below). */
  mainClass: string;
  args: string[];
  jvmArgs: string[];
  /**
   * The classpath: for the JVM runtime, host paths (the jars faultline resolved from Maven Central); a container
   * runtime maps the same artifact set to where its image holds it.
   */
  classpath: string;
  /** Which artifact set the classpath is (e.g. "kafka-4.1.1"), so a container runtime can pick the image. */
  artifacts?: string;
  /** stdout and stderr go here (a file in the run's logs/). */
  outputFile: string;
  /** Where the JVM's logging framework writes, if elsewhere: its errors are read by failureReason() too. */
  logFile?: string;
  /** Host directories the process reads or writes (configs, data, logs): a container mounts them at the same path. */
  paths?: string[];
  resources?: ResourceCaps;
  /** A container image to run instead of the one the runtime picks for `artifacts`. */
  image?: string;
}

/** What a process is, for the results and resource sampling: a pid, or a container id and the image it ran. */
export interface ProcessDescription {
  pid?: number;
  containerId?: string;
  image?: string;
  imageId?: string;
  /** Container runtime: how the image was chosen (pulled, present, the local build and why). */
  imageChoice?: ImageChoice;
}

export interface ProcessControl {
  readonly name: string;
  readonly running: boolean;
  kill(): Promise<void>;
  stop(graceMs?: number): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  start(): Promise<void>;
  exited(): Promise<number | null>;
  logTail(lines?: number): string[];
  /** Why it failed, in one line, and where to read more. */
  failureReason(): string;
  /** What runs now (the current start's pid or container), for the results and resource sampling. */
  describe(): ProcessDescription;
}

export interface Runtime {
  readonly name: 'jvm' | 'container';
  /** Throws an InfrastructureError saying what to install or start when this machine cannot run it (no java, no
   * container runtime). Providers call it before they fetch or start anything. */
  requireReady(): void | Promise<void>;
  /** Starts a long-running process (a broker, a replicator). */
  launch(spec: LaunchSpec, registry: ProcessRegistry): Promise<ProcessControl>;
  /** Runs a tool to completion (e.g. Kafka's storage format); rejects with its failure reason. */
  runTool(spec: LaunchSpec, registry: ProcessRegistry): Promise<void>;
}
