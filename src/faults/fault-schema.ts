/** The scenario's `faults:` timeline and seeded `nemesis:`: the fields every fault has, and each family's own. */
import { z } from 'zod';
import { faultActions, faultFamilies, familyFields } from './fault-families.js';
import { duration } from '../scenario/unit-schemas.js';
import { parseDuration, UnitError } from '../scenario/units.js';

/** `duration: forever`: the fault is never healed during the run (the drain included); teardown stops everything. */
export const FOREVER = 'forever';
/** A duration (500ms, 90s, 2m) or `forever`. */
function durationOrForever() {
  return z
    .union([z.string(), z.number()])
    .transform((input, ctx): number | typeof FOREVER => {
      if (input === FOREVER) return FOREVER;
      try {
        return parseDuration(input);
      } catch (error) {
        if (!(error instanceof UnitError)) throw error;
        ctx.addIssue({
          code: 'custom',
          message: `expected a duration such as 500ms, 90s or 2m, or forever, got ${JSON.stringify(input)}`,
        });
        return z.NEVER;
      }
    })
    .meta({ description: 'A duration (500ms, 90s, 2m), or forever.', examples: ['10s', FOREVER] });
}

export { type FaultAction, faultActions } from './fault-families.js';

/** The actions whose target defaults to every broker, as a phrase: "a, b and c". */
function defaultingToAll(): string {
  const actions = faultFamilies.filter((f) => f.target === 'all').flatMap((f) => f.actions as readonly string[]);
  return actions.length > 1 ? `${actions.slice(0, -1).join(', ')} and ${actions.at(-1)}` : actions.join('');
}

export const faultSchema = z
  .object({
    at: duration().meta({ description: 'When, from the start of the load (warm-up included).' }),
    action: z.enum(faultActions),
    target: z
      .string()
      .optional()
      .meta({
        description: `broker-N, random, leader(topic, partition), controller or all. Default: all for ${defaultingToAll()}.`,
      }),
    duration: durationOrForever().optional().meta({
      description:
        'Heals itself after this long; without it the fault lasts until the end of producing. forever: never healed during the run (through the drain, until teardown): a region lost for good.',
    }),
    // Each family's own fields (partition groups, toxic parameters, regions …): see fault-families.ts.
    ...familyFields(),
  })
  .strict();

export const nemesisSchema = z
  .object({
    every: duration().meta({ description: 'Time between faults (more than 0 s).' }),
    actions: z.array(z.enum(faultActions)).min(1),
    seed: z.number().int(),
    duration: duration().optional().meta({ description: 'How long each fault lasts (default: half of every).' }),
    from: duration().optional().meta({ description: 'First fault (default: every, or the end of warm-up if later).' }),
  })
  .strict();

export type FaultSpec = z.output<typeof faultSchema>;
export type NemesisSpec = z.output<typeof nemesisSchema>;
