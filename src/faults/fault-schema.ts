/** The scenario's `faults:` timeline and seeded `nemesis:`. */
import { z } from 'zod';
import { bytes, duration } from '../scenario/unit-schemas.js';
import { parseDuration, UnitError } from '../scenario/units.js';

export const networkActions = [
  'isolate',
  'partition',
  'latency',
  'bandwidth',
  'reset',
  'blackhole',
  'cut-clients',
] as const;
export const processActions = ['kill', 'stop', 'pause', 'restart'] as const;
/** Faults named by regions: a region pair's link cut or degraded, or every broker of a region killed or isolated. */
export const regionActions = ['link-down', 'link-degrade', 'region-outage'] as const;
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

export const faultActions = [...networkActions, ...processActions, ...regionActions] as const;
export type FaultAction = (typeof faultActions)[number];

export const faultSchema = z
  .object({
    at: duration().meta({ description: 'When, from the start of the load (warm-up included).' }),
    action: z.enum(faultActions),
    target: z.string().optional().meta({
      description:
        'broker-N, random, leader(topic, partition), controller or all. Default: all for latency, bandwidth, reset, blackhole and cut-clients.',
    }),
    duration: durationOrForever().optional().meta({
      description:
        'Heals itself after this long; without it the fault lasts until the end of producing. forever: never healed during the run (through the drain, until teardown): a region lost for good.',
    }),
    groups: z
      .array(z.array(z.number().int().min(1)).min(1))
      .min(2)
      .optional()
      .meta({ description: 'partition: broker ids per side, e.g. [[1], [2, 3]].' }),
    latency: duration().optional().meta({ description: 'latency: added delay per direction named by stream.' }),
    jitter: duration().optional(),
    rate: bytes().optional().meta({
      description:
        'bandwidth: bytes per second, a whole number of KB/s (1 KB = 1000 B, as Toxiproxy counts), e.g. 1MB or 250KB.',
    }),
    links: z
      .enum(['clients', 'brokers', 'all'])
      .optional()
      .meta({ description: 'isolate and toxics: client links, broker-to-broker links, or both (default all).' }),
    stream: z
      .enum(['upstream', 'downstream', 'both'])
      .optional()
      .meta({ description: 'Toxics: requests (upstream, the default), responses (downstream) or both.' }),
    between: z.tuple([z.string(), z.string()]).optional().meta({
      description:
        'link-down, link-degrade: the region pair whose link (both directions) is cut or degraded, e.g. [us-east, eu-west].',
    }),
    region: z.string().optional().meta({ description: 'region-outage: the region whose brokers all go down.' }),
    mode: z.enum(['kill', 'isolate']).optional().meta({
      description:
        'region-outage: kill every broker of the region (default), or isolate them (every link to and from them cut).',
    }),
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
