/**
 * Criteria that name a region or a consumer group must name traffic the run will have: a producing region, a
 * producing → consuming pair, a consumer region whose group reads. A selector that can never be measured is
 * refused at validate (it would only ever fail as "not measured").
 */
import type { Problem } from '../scenario/problems.js';
import { didYouMean } from '../scenario/suggest.js';
import { regionOfProducer, type Topology } from '../topology/topology.js';
import type { Criterion } from './criterion.js';

export interface SelectorContext {
  topology: Topology;
  /** Producers per topic, consumers per group. */
  producers: number;
  consumers: number;
  /** Regions the clients move to at a failover (figures after the move may be filed there). */
  failoverRegions: string[];
}

/** `criteria`: each parsed criterion with its index in the scenario's criteria list. */
export function checkSelectors(
  criteria: Array<{ criterion: Criterion; index: number }>,
  ctx: SelectorContext,
  problems: Problem[],
): void {
  const { topology } = ctx;
  const producing = new Set(Array.from({ length: ctx.producers }, (_, i) => regionOfProducer(topology, i)));
  const consuming = new Set(ctx.consumers > 0 ? topology.consumerRegions : []);
  for (const region of ctx.failoverRegions) {
    producing.add(region);
    if (ctx.consumers > 0) consuming.add(region);
  }
  for (const { criterion, index } of criteria) {
    const problem = (message: string) => problems.push({ path: ['criteria', index], message });
    const named = [criterion.regions?.from, criterion.regions?.to, criterion.group].filter(
      (r): r is string => r !== undefined,
    );
    if (named.length === 0) continue;
    if (topology.implicit) {
      problem(
        `"${criterion.metric}" selects a region, but no regions are declared: without regions there is one set of figures, named without a selector`,
      );
      continue;
    }
    const unknown = named.find((region) => !topology.regions.includes(region));
    if (unknown !== undefined) {
      problem(
        `no region named "${unknown}"${didYouMean(unknown, topology.regions)}; regions: ${topology.regions.join(', ')}`,
      );
      continue;
    }
    const list = (set: Set<string>) => [...set].join(', ') || 'none';
    const from = criterion.regions?.from;
    if (from !== undefined && !producing.has(from)) {
      problem(
        `no producer sits in "${from}", so "${criterion.metric}" would never be measured; producers sit in: ${list(producing)}`,
      );
      continue;
    }
    const to = criterion.regions?.to ?? criterion.group;
    if (to !== undefined && !consuming.has(to)) {
      problem(
        ctx.consumers === 0
          ? `"${criterion.metric}" needs consumers, and the workload has none (consumers: 0)`
          : `no consumer group reads in "${to}", so "${criterion.metric}" would never be measured; consumer groups read in: ${list(consuming)}`,
      );
    }
  }
}
