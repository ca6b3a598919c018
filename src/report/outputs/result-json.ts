/** result.json: the run's figures (the contract CI scripts read), checkpointed during the load. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutputKind } from '../output.js';
import type { RunResult } from '../result.js';

export const resultJsonOutput: OutputKind = {
  commands: ['run'],
  create: () => {
    const write = (result: RunResult, dir: string) =>
      writeFile(join(dir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
    return { name: 'result.json', onCheckpoint: write, onResult: write };
  },
};
