/**
 * The `docker` command line, for what faultline does outside a run (building images, cleaning up by label):
 * each call bounded in time, its failure one line.
 */
import { execFile, spawn } from 'node:child_process';
import { InfrastructureError } from '../../errors.js';

/** How to get a container runtime on a machine without one (the message of every "no runtime" error). */
export const START_RUNTIME_HINT =
  'start one with `sudo scripts/containers.sh` (installs docker.io and starts dockerd without iptables or a bridge), or point DOCKER_HOST at a running daemon';

export function docker(args: string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('docker', args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return reject(new InfrastructureError(`no docker command on PATH: ${START_RUNTIME_HINT}`));
      const detail = (stderr || error.message).trim().split('\n').slice(-3).join(' ');
      reject(new InfrastructureError(`docker ${args[0]} failed: ${detail}`));
    });
  });
}

/** Runs a command whose output goes to `log` line by line; rejects with its last lines when it fails. */
export function runLogged(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; log: (line: string) => void; timeoutMs: number; what: string },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        options.log(line);
        tail.push(line);
        if (tail.length > 5) tail.shift();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new InfrastructureError(`${options.what}: could not run ${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      const why = signal ? `killed by ${signal} (time limit ${options.timeoutMs / 1000} s)` : `exit ${code}`;
      reject(new InfrastructureError(`${options.what} failed (${why}): ${tail.join(' | ')}`));
    });
  });
}

/** The daemon's version when one answers, else why not (one line). */
export async function daemonVersion(): Promise<{ version: string } | { reason: string }> {
  try {
    return { version: (await docker(['version', '--format', '{{.Server.Version}}'], 10_000)).trim() };
  } catch (error) {
    return { reason: (error as Error).message };
  }
}

export async function requireDaemon(): Promise<string> {
  const answer = await daemonVersion();
  if ('version' in answer) return answer.version;
  const reason = answer.reason.replace(`: ${START_RUNTIME_HINT}`, '');
  throw new InfrastructureError(`no container runtime answers (${reason}): ${START_RUNTIME_HINT}`);
}
