/**
 * `workload.rate: {find: max, while: "latency.publish.p99 < 50ms"}`: the max sustainable rate search. Each step is
 * a short open-loop measurement at one offered rate (its own warm-up, window and drain); the search grows the rate
 * geometrically from `from` until a step fails, then bisects between the last pass and the first fail until the
 * two are within `precision` of each other (load/max-rate-search.ts).
 */
import { z } from 'zod';
import { duration, rate } from './unit-schemas.js';

const fixedRate = (what: string) =>
  rate().superRefine((r, ctx) => {
    if (r.kind === 'max') ctx.addIssue({ code: 'custom', message: `${what} is a rate such as 100/s, not max` });
  });

const percent = z
  .union([z.string(), z.number()])
  .transform((text, ctx) => {
    const match = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(String(text));
    const value = match && typeof text === 'string' ? Number(match[1]) / 100 : Number.NaN;
    if (!(value >= 0.001 && value <= 0.5)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a percentage from 0.1% to 50%, such as 5%, got ${JSON.stringify(text)}`,
      });
      return z.NEVER;
    }
    return value;
  })
  .meta({ examples: ['5%'] });

export const rateSearchSchema = z
  .object({
    find: z.literal('max').meta({ description: 'Search for the highest rate at which every `while` condition holds.' }),
    while: z
      .union([z.string(), z.array(z.string()).min(1)])
      .transform((conditions) => (typeof conditions === 'string' ? [conditions] : conditions))
      .meta({
        description:
          'What a step must meet, written like criteria and judged on the step\'s own figures, e.g. "latency.publish.p99 < 50ms". A step also fails when the producers do not keep up with the offered rate, a send fails, or the step does not drain.',
      }),
    from: fixedRate('from')
      .default({ kind: 'fixed', perSecond: 100 })
      .meta({ description: 'The first rate tried (default 100/s).' }),
    upTo: fixedRate('upTo')
      .default({ kind: 'fixed', perSecond: 1_000_000 })
      .meta({ description: 'The highest rate tried (default 1M/s): reaching it with a pass ends the search.' }),
    factor: z.number().gt(1).max(10).default(2).meta({ description: 'Growth from one passing step to the next.' }),
    precision: percent
      .default(0.05)
      .meta({ description: 'The search ends when the first fail is within this of the last pass (default 5%).' }),
    stepWarmup: duration().default(2000).meta({ description: "Each step's warm-up, excluded from its figures." }),
    stepDuration: duration().default(5000).meta({ description: "Each step's measurement window." }),
    stepDrain: duration().default(5000).meta({
      description:
        'How long each step may take, after producing, for every send to be answered and the consumers to catch up; a step that does not drain fails.',
    }),
    maxSteps: z.number().int().min(2).max(100).default(20).meta({ description: 'Most steps the search may run.' }),
  })
  .strict()
  .transform((search, ctx) => {
    const from = search.from.kind === 'fixed' ? search.from.perSecond : 0;
    const upTo = search.upTo.kind === 'fixed' ? search.upTo.perSecond : 0;
    if (upTo < from)
      ctx.addIssue({ code: 'custom', path: ['upTo'], message: `must not be below from (${from}/s), got ${upTo}/s` });
    return { ...search, from, upTo };
  });

export type RateSearchSpec = z.output<typeof rateSearchSchema>;
