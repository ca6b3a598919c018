/**
 * link-down and link-degrade: the link between two regions cut, or degraded (latency added one way, each way, on
 * top of what the link costs; its rate capping each direction), on every path between the two, in every cluster
 * of the run.
 */
import { z } from 'zod';
import type { ToxicSpec } from '../../net/proxied-network.js';
import type { FaultFamily } from '../fault-family.js';
import type { PlannedFault } from '../fault-plan.js';
import { addToxics, cutLinks } from './link-breaks.js';
import { clusterRegionLinks, regionsFor, runRegionLinks } from './region-paths.js';
import { bandwidthToxic, checkRate, latencyToxic, NEMESIS_JITTER_MS, NEMESIS_LATENCY_MS } from './toxics.js';

type RegionLinkAction = 'link-down' | 'link-degrade';

const fields = {
  between: z.tuple([z.string(), z.string()]).optional().meta({
    description:
      'link-down, link-degrade: the region pair whose link (both directions) is cut or degraded, e.g. [us-east, eu-west].',
  }),
};

/** link-degrade works on both directions of the pair: its latency (and jitter) one way, each way; its rate each. */
function degradeToxics(fault: PlannedFault): ToxicSpec[] {
  return (['upstream', 'downstream'] as const).flatMap((stream) => [
    ...(fault.latencyMs !== undefined ? [latencyToxic(fault, stream)] : []),
    ...(fault.rateBytesPerSec !== undefined ? [bandwidthToxic(fault, stream)] : []),
  ]);
}

export const regionLinks: FaultFamily<RegionLinkAction, typeof fields> = {
  actions: ['link-down', 'link-degrade'],
  fields,
  takes: { 'link-down': ['between'], 'link-degrade': ['between', 'latency', 'jitter', 'rate'] },
  network: true,
  breaks: () => 'links',
  /** A pair of known, different regions; link-degrade needs latency or rate. */
  check(spec, context, problem) {
    const pair = (() => {
      const found = regionsFor(spec, context, problem);
      if (!found) return undefined;
      if (spec.between === undefined) {
        problem(undefined, `${spec.action} needs between: [region, region]`);
        return undefined;
      }
      const [a, b] = spec.between;
      if (!found.known(a, 'between') || !found.known(b, 'between')) return undefined;
      if (a === b) {
        problem('between', 'a link joins two different regions');
        return undefined;
      }
      if (spec.action === 'link-degrade' && spec.latency === undefined && spec.rate === undefined) {
        problem(
          undefined,
          'link-degrade needs latency: (added one way, e.g. 100ms, with jitter:) or rate: (bytes per second), or both',
        );
      }
      return { extra: { between: [a, b] as [string, string], regions: found.regions } };
    })();
    if (spec.action === 'link-degrade' && spec.rate !== undefined) checkRate(spec, problem);
    return pair;
  },
  nemesis(action, { context, pick }) {
    const topology = context.topology;
    const degrade = action === 'link-degrade' ? { latency: NEMESIS_LATENCY_MS, jitter: NEMESIS_JITTER_MS } : {};
    if (!topology || topology.implicit) return degrade;
    const pairs = topology.links.filter((link) => link.from < link.to);
    if (pairs.length === 0) return degrade;
    const link = pick(pairs);
    return { between: [link.from, link.to], ...degrade };
  },
  label: (fault) => `between ${fault.between!.join(' and ')}`,
  linksOf: (fault, _brokers, all) => clusterRegionLinks(fault, all),
  toxicsOf: degradeToxics,
  apply: (app) =>
    app.fault.action === 'link-down'
      ? cutLinks(app, (all) => runRegionLinks(app, all))
      : addToxics(app, (all) => runRegionLinks(app, all), degradeToxics(app.fault)),
};
