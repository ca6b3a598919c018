/**
 * Every fault family, once, in the order the scenario schema lists their actions. A new fault is a module in
 * families/ (see fault-family.ts) and one line here.
 */
import type { z } from 'zod';
import type { FaultFamily } from './fault-family.js';
import { cutClients } from './families/cut-clients.js';
import { isolate } from './families/isolate.js';
import { partition } from './families/partition.js';
import { processFaults } from './families/process.js';
import { regionLinks } from './families/region-links.js';
import { regionOutage } from './families/region-outage.js';
import { toxics } from './families/toxics.js';

export const faultFamilies = [
  isolate,
  partition,
  toxics,
  cutClients,
  processFaults,
  regionLinks,
  regionOutage,
] as const;

type Family = (typeof faultFamilies)[number];
type ActionOf<F> = F extends FaultFamily<infer A, z.ZodRawShape> ? A : never;
type FieldsOf<F> = F extends FaultFamily<string, infer S> ? S : never;
type Intersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

export type FaultAction = ActionOf<Family>;
/** The fields the families introduce into a fault's schema. */
export type FamilyFields = Intersection<FieldsOf<Family>>;

/** Every action, in the schema's order. */
export const faultActions = faultFamilies.flatMap((family) => family.actions) as [FaultAction, ...FaultAction[]];

/** The families' fields, each once (the first family to introduce a field defines it). */
export function familyFields(): FamilyFields {
  const fields: Record<string, unknown> = {};
  for (const family of faultFamilies)
    for (const [name, schema] of Object.entries(family.fields)) if (!(name in fields)) fields[name] = schema;
  return fields as FamilyFields;
}

/** The family an action belongs to. */
export function familyOf(action: FaultAction): FaultFamily<FaultAction, z.ZodRawShape> {
  const family = faultFamilies.find((f) => (f.actions as readonly string[]).includes(action));
  if (!family) throw new Error(`no fault family has action ${action}`);
  return family as unknown as FaultFamily<FaultAction, z.ZodRawShape>;
}
