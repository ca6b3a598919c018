/** Result fixtures that real runs produced (test/fixtures/reports, see its README), for report tests. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunResult } from '../../src/report/result.js';

export const reportFixtures = resolve(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'reports');

export function fixtureResult(name: string): RunResult {
  return JSON.parse(readFileSync(join(reportFixtures, name, 'result.json'), 'utf8')) as RunResult;
}
