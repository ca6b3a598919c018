/**
 * `docker pull`, bounded in time: a registry that does not answer (no route, a proxy that hangs) costs at most the
 * bound. Each image is pulled at most once per harness process (memoised): brokers of a cluster, its storage
 * tool and MirrorMaker 2 share one attempt, and one outcome.
 */
import { execFile } from 'node:child_process';

export type PullOutcome = { pulled: true; seconds: number } | { pulled: false; reason: string };

const attempts = new Map<string, Promise<PullOutcome>>();

/** Pulls `ref` once per process; later calls get the first attempt's outcome. Never rejects. */
export function pullOnce(ref: string, timeoutMs: number): Promise<PullOutcome> {
  let attempt = attempts.get(ref);
  if (!attempt) {
    const started = performance.now();
    attempt = pullImage(ref, timeoutMs).then(
      (): PullOutcome => ({ pulled: true, seconds: (performance.now() - started) / 1000 }),
      (error: Error): PullOutcome => ({ pulled: false, reason: error.message }),
    );
    attempts.set(ref, attempt);
  }
  return attempt;
}

/** Resolves once `ref` is on this machine; rejects with the registry's reason in one line, or the time limit. */
export function pullImage(ref: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      'docker',
      ['pull', '--quiet', ref],
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024 },
      (error, _stdout, stderr) => {
        if (!error) return resolve();
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return reject(new Error('no docker command on PATH'));
        if (error.killed || error.signal)
          return reject(new Error(`no answer within ${formatSeconds(timeoutMs)} (FAULTLINE_PULL_TIMEOUT)`));
        reject(new Error(pullError(stderr || error.message)));
      },
    );
  });
}

/** The daemon's reason in one line, without its "Error response from daemon:" preamble. */
export function pullError(output: string): string {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !/^(Command failed|Using default tag)/.test(line));
  const last = lines.at(-1) ?? 'unknown error';
  return last.replace(/^Error response from daemon:\s*/i, '').replace(/^Error:\s*/, '');
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}
