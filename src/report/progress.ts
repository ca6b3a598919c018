/**
 * The live progress line of each part of a run (a cluster, or clusters joined by replication), named after it:
 * rewritten in place on a TTY, a plain line every few seconds otherwise, for every part in turn.
 */
import type { LoadProgress } from '../load/load-run.js';

export interface ProgressReporter {
  info(line: string): void;
  /** `part`: the cluster (or the workload's cluster of a joined pair) whose load this is. */
  load(progress: LoadProgress, part?: string): void;
  done(): void;
}

export function progressReporter(stream: NodeJS.WriteStream = process.stderr, quiet = false): ProgressReporter {
  const tty = stream.isTTY === true;
  let lastPlain = -Infinity;
  let lastPart: string | undefined;
  let lineOpen = false;
  const closeLine = () => {
    if (lineOpen) stream.write('\n');
    lineOpen = false;
  };
  return {
    info(line) {
      if (quiet) return;
      closeLine();
      stream.write(`faultline: ${line}\n`);
    },
    load(p, part) {
      if (quiet) return;
      // A new part's load starts its clock again: its first line is due at once, not when it passes the last's.
      if (part !== lastPart || p.elapsedMs < lastPlain) lastPlain = -Infinity;
      lastPart = part;
      const last = p.last;
      const text =
        `[${part ? `${part} ` : ''}${p.phase} ${Math.round(p.elapsedMs / 1000)}s/${Math.round(p.plannedMs / 1000)}s] ` +
        `produced ${perSecond(last?.produced, last?.seconds)}/s consumed ${perSecond(last?.consumed, last?.seconds)}/s ` +
        `publish p99 ${last?.publishP99 ?? '-'} ms e2e p99 ${last?.endToEndP99 ?? '-'} ms ` +
        `acked ${p.counts.acked} errors ${p.counts.failed}`;
      if (tty) {
        stream.write(`\r\x1b[K${text}`);
        lineOpen = true;
      } else if (p.elapsedMs - lastPlain >= 5000) {
        stream.write(`faultline: ${text}\n`);
        lastPlain = p.elapsedMs;
      }
    },
    done: closeLine,
  };
}

/** A count over a timeline interval as a rate (an interval cut at a phase boundary is shorter than 1 s). */
function perSecond(count: number | undefined, seconds: number | undefined): number {
  return Math.round((count ?? 0) / (seconds ?? 1));
}
