/** Result files on disk: finding them under a directory, and reading one (refused when it is not a result). */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage, InvalidInputError } from '../errors.js';
import type { RunResult } from './result.js';

/** DIR/result.json if there is one; else the same search in each subdirectory, down to `depth` levels. */
export async function resultFilesUnder(dir: string, depth = 2): Promise<string[]> {
  if (existsSync(join(dir, 'result.json'))) return [join(dir, 'result.json')];
  if (depth === 0) return [];
  const entries = (await readdir(dir, { withFileTypes: true }).catch(() => []))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const files: string[] = [];
  for (const name of entries) files.push(...(await resultFilesUnder(join(dir, name), depth - 1)));
  return files;
}

export async function readResult(file: string): Promise<RunResult> {
  let result: Partial<RunResult>;
  try {
    result = JSON.parse(await readFile(file, 'utf8')) as Partial<RunResult>;
  } catch (error) {
    throw new InvalidInputError(`${file}: not a readable result.json (${errorMessage(error)})`);
  }
  if (
    typeof result !== 'object' ||
    result === null ||
    typeof result.scenario?.name !== 'string' ||
    typeof result.cluster?.name !== 'string' ||
    typeof result.status !== 'string'
  ) {
    throw new InvalidInputError(`${file}: not a faultline result (expected scenario.name, cluster.name and status)`);
  }
  return result as RunResult;
}
