/** Zod types for human units (durations, sizes, rates): parsed to ms, bytes and msg/s, with clear errors. */
import { z } from 'zod';
import { parseBytes, parseDuration, parseRate, UnitError } from './units.js';

function unit<T>(parse: (input: unknown) => T, description: string, examples: Array<string | number>) {
  return z
    .union([z.string(), z.number()])
    .transform((input, ctx) => {
      try {
        return parse(input);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: error instanceof UnitError ? error.message : String(error) });
        return z.NEVER;
      }
    })
    .meta({ description, examples });
}

export const duration = () => unit(parseDuration, 'A duration: 500ms, 90s, 2m, 1h.', ['500ms', '90s', '2m']);
export const bytes = () => unit(parseBytes, 'A size: 512B, 1KiB, 1MiB (KB/MB are powers of 1000).', ['512B', '1KiB']);
export const rate = () =>
  unit(parseRate, 'Total target rate: 2000/s, 5k/s, 120/m, or max (as fast as acknowledged, bounded in-flight).', [
    '2000/s',
    '5k/s',
    'max',
  ]);
