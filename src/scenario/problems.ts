/**
 * A problem found in a scenario, addressed by its path in the document (e.g. ['topics', 0, 'partitions']),
 * and the error that carries them all, already formatted as `file:line:col: field: message`.
 */
import { InvalidInputError } from '../errors.js';

export type FieldPath = ReadonlyArray<string | number>;

export interface Problem {
  path: FieldPath;
  message: string;
  /** For a misplaced key: the key itself, so the location points at it rather than at its parent. */
  key?: string;
}

export interface SourcePosition {
  line: number;
  col: number;
  /** A value that came from elsewhere than the file: said instead of file:line:col (e.g. "--set workload.rate=x"). */
  origin?: string;
  /** Appended to the message (e.g. the environment variables a value was made of). */
  note?: string;
}

export type Locate = (path: FieldPath, key?: string) => SourcePosition | undefined;

export function formatPath(path: FieldPath): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
  return out || '(document)';
}

export function scenarioError(file: string, problems: Problem[], locate: Locate): InvalidInputError {
  const lines = problems.map((problem) => {
    const position = locate(problem.path, problem.key);
    const where = position?.origin ?? (position ? `${file}:${position.line}:${position.col}` : file);
    const field = formatPath(problem.key ? [...problem.path, problem.key] : problem.path);
    return `${where}: ${field}: ${problem.message}${position?.note ? ` (${position.note})` : ''}`;
  });
  return new InvalidInputError(lines.join('\n'), lines);
}
