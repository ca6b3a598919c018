/** The live progress line: rewritten in place on a TTY, a plain line every few seconds otherwise. */
import type { LoadProgress } from '../load/load-run.js';

export interface ProgressReporter {
  info(line: string): void;
  load(progress: LoadProgress): void;
  done(): void;
}

export function progressReporter(stream: NodeJS.WriteStream = process.stderr, quiet = false): ProgressReporter {
  const tty = stream.isTTY === true;
  let lastPlain = -Infinity;
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
    load(p) {
      if (quiet) return;
      const last = p.last;
      const text =
        `[${p.phase} ${Math.round(p.elapsedMs / 1000)}s/${Math.round(p.plannedMs / 1000)}s] ` +
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
