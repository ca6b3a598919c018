/**
 * Human units used in scenario files and criteria: durations (500ms, 90s, 2m), sizes (512B, 1KiB)
 * and rates (2000/s, 5k/s, max). Each parser returns the value in the base unit (ms, bytes, msg/s)
 * or throws a UnitError whose message says what was expected.
 */
export class UnitError extends Error {}

const durationUnits: Record<string, number> = {
  us: 0.001,
  µs: 0.001,
  ms: 1,
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
};
const byteUnits: Record<string, number> = {
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};
const countSuffixes: Record<string, number> = { '': 1, k: 1000, m: 1_000_000 };
const ratePeriods: Record<string, number> = { s: 1, sec: 1, m: 1 / 60, min: 1 / 60, h: 1 / 3600 };

const number = String.raw`(\d+(?:\.\d+)?|\.\d+)`;

export function parseDuration(input: unknown): number {
  if (typeof input === 'string') {
    const match = new RegExp(`^${number}\\s*([a-zµ]+)$`, 'i').exec(input.trim());
    const factor = match ? durationUnits[match[2]!.toLowerCase()] : undefined;
    if (match && factor !== undefined) return Number(match[1]) * factor;
  }
  if (input === 0) return 0;
  throw new UnitError(`expected a duration such as 500ms, 90s or 2m, got ${show(input)}`);
}

export function parseBytes(input: unknown): number {
  if (typeof input === 'number' && Number.isInteger(input) && input >= 0) return input;
  if (typeof input === 'string') {
    const match = new RegExp(`^${number}\\s*([a-z]*)$`, 'i').exec(input.trim());
    const factor = match ? byteUnits[(match[2] || 'b').toLowerCase()] : undefined;
    if (match && factor !== undefined) {
      const bytes = Number(match[1]) * factor;
      if (Number.isInteger(bytes)) return bytes;
    }
  }
  throw new UnitError(`expected a size such as 512B, 1KiB or 1MiB, got ${show(input)}`);
}

/** A target rate in messages per second; `max` means as fast as the broker acknowledges. */
export type Rate = { kind: 'fixed'; perSecond: number } | { kind: 'max' };

export function parseRate(input: unknown): Rate {
  if (input === 'max') return { kind: 'max' };
  if (typeof input === 'number' && input > 0) return { kind: 'fixed', perSecond: input };
  if (typeof input === 'string') {
    const match = new RegExp(`^${number}\\s*([km]?)\\s*/\\s*([a-z]+)$`, 'i').exec(input.trim());
    const multiplier = match ? countSuffixes[match[2]!.toLowerCase()] : undefined;
    const period = match ? ratePeriods[match[3]!.toLowerCase()] : undefined;
    if (match && multiplier !== undefined && period !== undefined) {
      const perSecond = Number(match[1]) * multiplier * period;
      if (perSecond > 0) return { kind: 'fixed', perSecond };
    }
  }
  throw new UnitError(`expected a rate such as 2000/s, 5k/s or max, got ${show(input)}`);
}

export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000) return `${round(ms / 1000, 3)}s`;
  return `${round(ms, 3)}ms`;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 2) return `${round(bytes / 1024 ** 2, 2)}MiB`;
  if (bytes >= 1024) return `${round(bytes / 1024, 2)}KiB`;
  return `${bytes}B`;
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function show(input: unknown): string {
  return typeof input === 'string' ? JSON.stringify(input) : String(input);
}
