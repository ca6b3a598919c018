/** --hlog: HdrHistogram interval logs beside the result, one per latency kind (see hlog.ts). */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Option } from 'commander';
import { HLOG_KINDS, type HlogKind, intervalLog } from '../hlog.js';
import type { OutputKind } from '../output.js';

export const hlogOutput: OutputKind = {
  commands: ['run', 'report'],
  options: () => [
    new Option('--hlog', 'also write HdrHistogram interval logs (publish.hlog, end-to-end.hlog) beside the result'),
  ],
  create: (flags) =>
    flags.hlog === true
      ? {
          name: 'publish.hlog and end-to-end.hlog',
          onResult: async (result, dir) => {
            for (const kind of Object.keys(HLOG_KINDS) as HlogKind[]) {
              const log = intervalLog(result, kind);
              if (log) await writeFile(join(dir, `${kind}.hlog`), log);
            }
          },
        }
      : undefined,
};
