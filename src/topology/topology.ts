/**
 * The topology of a scenario as plain data, resolved once: the regions, what each ordered region pair's link
 * costs, which region each broker of each cluster sits in, and where the workload's producers and consumers
 * sit. A scenario without regions has one implicit region and no link: everything is as it was.
 */
import type { Problem } from '../scenario/problems.js';
import type { ClusterSpec, Scenario } from '../scenario/schema.js';
import { bandwidthProblem } from '../net/toxiproxy-units.js';
import { didYouMean } from '../scenario/suggest.js';
import { factsOf } from '../systems/facts.js';

export const IMPLICIT_REGION = 'local';

/** What crossing from one region to another costs, one way. */
export interface LinkCost {
  from: string;
  to: string;
  latencyMs: number;
  jitterMs: number;
  bandwidthBytesPerSec?: number;
}

export interface ClusterPlacement {
  /** Region of broker N at index N - 1. */
  brokerRegions: string[];
}

export interface Topology {
  /** Declared regions, or [IMPLICIT_REGION]. */
  regions: string[];
  implicit: boolean;
  /** Every ordered pair of distinct regions that has a link. */
  links: LinkCost[];
  clusters: Map<string, ClusterPlacement>;
  /** Region of producer i of each topic: producers[i mod length]. */
  producerRegions: string[];
  /** Each consumer region has its own consumer group (`workload.consumers` members) reading every message. */
  consumerRegions: string[];
}

/** The link from `from` to `to`; undefined inside a region (free) or where no link was declared. */
export function linkBetween(topology: Topology, from: string, to: string): LinkCost | undefined {
  if (from === to) return undefined;
  return topology.links.find((link) => link.from === from && link.to === to);
}

/** True when some link costs something: the run needs proxies even without network faults. */
export function crossesRegions(topology: Topology): boolean {
  return !topology.implicit && topology.links.length > 0;
}

export function regionOfProducer(topology: Topology, index: number): string {
  return topology.producerRegions[index % topology.producerRegions.length]!;
}

export function resolveTopology(scenario: Scenario, problems: Problem[]): Topology {
  const declared = scenario.regions.map((r) => r.name);
  const implicit = declared.length === 0;
  const regions = implicit ? [IMPLICIT_REGION] : declared;
  const known = (region: string, path: Array<string | number>): boolean => {
    if (regions.includes(region)) return true;
    problems.push({
      path,
      message: implicit
        ? `no regions are declared, so "${region}" names none: add regions: [${region}, …] (and links between them)`
        : `no region named "${region}"${didYouMean(region, declared)}; regions: ${declared.join(', ')}`,
    });
    return false;
  };

  const links = resolveLinks(scenario, known, problems);
  const clusters = new Map<string, ClusterPlacement>();
  scenario.clusters.forEach((cluster, i) =>
    clusters.set(cluster.name, { brokerRegions: placeBrokers(cluster, i, regions, known, problems) }),
  );

  const home = clusters.get(scenario.clusters[0]!.name)?.brokerRegions[0] ?? regions[0]!;
  const placement = scenario.workload.placement;
  const place = (list: string[] | undefined, field: 'producers' | 'consumers') => {
    if (!list) return [home];
    list.forEach((region, j) => known(region, ['workload', 'placement', field, j]));
    return list;
  };
  const topology: Topology = {
    regions,
    implicit,
    links,
    clusters,
    producerRegions: place(placement?.producers, 'producers'),
    consumerRegions: place(placement?.consumers, 'consumers'),
  };
  const repeated = topology.consumerRegions.find((region, i) => topology.consumerRegions.indexOf(region) !== i);
  if (repeated)
    problems.push({
      path: ['workload', 'placement', 'consumers'],
      message: `"${repeated}" is named twice: each consumer region has its own consumer group`,
    });
  checkReachable(topology, problems);
  return topology;
}

function resolveLinks(
  scenario: Scenario,
  known: (region: string, path: Array<string | number>) => boolean,
  problems: Problem[],
): LinkCost[] {
  const links: LinkCost[] = [];
  const declaredAt = new Map<string, number>();
  scenario.links.forEach((spec, i) => {
    const path = ['links', i];
    let pairs: Array<[string, string]>;
    if (spec.between && (spec.from !== undefined || spec.to !== undefined)) {
      problems.push({
        path,
        message: 'give either between: [a, b] (both directions) or from and to (one direction), not both',
      });
      return;
    } else if (spec.between) {
      const [a, b] = spec.between;
      if (!known(a, [...path, 'between', 0]) || !known(b, [...path, 'between', 1])) return;
      pairs = [
        [a, b],
        [b, a],
      ];
    } else if (spec.from !== undefined && spec.to !== undefined) {
      if (!known(spec.from, [...path, 'from']) || !known(spec.to, [...path, 'to'])) return;
      pairs = [[spec.from, spec.to]];
    } else {
      problems.push({ path, message: 'a link needs between: [a, b], or from: and to:' });
      return;
    }
    for (const [from, to] of pairs) {
      if (from === to) {
        problems.push({ path, message: `a link joins two regions; "${from}" to itself costs nothing` });
        return;
      }
      const key = `${from}->${to}`;
      const earlier = declaredAt.get(key);
      if (earlier !== undefined) {
        problems.push({
          path,
          message: `duplicate link ${from} → ${to}: links[${earlier}] already sets it (an asymmetric link gives each direction once, with from/to)`,
        });
        return;
      }
      declaredAt.set(key, i);
      if (spec.jitter > spec.latency) {
        problems.push({
          path: [...path, 'jitter'],
          message: `jitter (${spec.jitter} ms) above the latency (${spec.latency} ms) would need negative delays`,
        });
      }
      const bandwidth =
        spec.bandwidth === undefined
          ? undefined
          : spec.bandwidth === 0
            ? 'a bandwidth of 0 carries nothing: to cut a link, use a link-down fault'
            : bandwidthProblem(spec.bandwidth);
      if (bandwidth) problems.push({ path: [...path, 'bandwidth'], message: bandwidth });
      links.push({
        from,
        to,
        latencyMs: spec.latency,
        jitterMs: spec.jitter,
        ...(spec.bandwidth !== undefined ? { bandwidthBytesPerSec: spec.bandwidth } : {}),
      });
    }
  });
  return links;
}

function placeBrokers(
  cluster: ClusterSpec,
  index: number,
  regions: string[],
  known: (region: string, path: Array<string | number>) => boolean,
  problems: Problem[],
): string[] {
  const path = ['clusters', index];
  if (cluster.region !== undefined && cluster.regions !== undefined) {
    problems.push({
      path: [...path, 'regions'],
      message: 'give either region (every broker in one region) or regions (brokers spread over them), not both',
    });
  }
  const spread = cluster.regions ?? [cluster.region ?? regions[0]!];
  if (cluster.regions) cluster.regions.forEach((region, j) => known(region, [...path, 'regions', j]));
  else if (cluster.region !== undefined) known(cluster.region, [...path, 'region']);
  const followerFetching = factsOf(cluster.system).followerFetching;
  if (cluster.followerFetching && (followerFetching !== true || regions.length < 2)) {
    problems.push({
      path: [...path, 'followerFetching'],
      message:
        followerFetching !== true
          ? followerFetching
          : "follower fetching reads from a replica in the consumer's region: it needs regions",
    });
  }
  if (cluster.regions && cluster.regions.length > cluster.brokers) {
    problems.push({
      path: [...path, 'regions'],
      message: `${cluster.regions.length} regions for ${cluster.brokers} broker(s): regions ${cluster.regions.slice(cluster.brokers).join(', ')} would hold none`,
    });
  }
  return Array.from({ length: cluster.brokers }, (_, i) => spread[i % spread.length]!);
}

/** Every region pair that traffic crosses needs a link (a missing one would silently cost nothing). */
function checkReachable(topology: Topology, problems: Problem[]): void {
  if (topology.implicit) return;
  const used = new Set<string>([...topology.producerRegions, ...topology.consumerRegions]);
  for (const placement of topology.clusters.values()) placement.brokerRegions.forEach((region) => used.add(region));
  const missing: string[] = [];
  const regions = [...used].filter((region) => topology.regions.includes(region)).sort();
  for (const from of regions) {
    for (const to of regions) {
      if (from !== to && !linkBetween(topology, from, to)) missing.push(`${from} → ${to}`);
    }
  }
  if (missing.length > 0) {
    problems.push({
      path: ['links'],
      message: `traffic crosses ${missing.join(', ')} but no link says what that costs: add links: [{between: [a, b], latency: …}]`,
    });
  }
}

/** A few lines for `faultline validate`: which broker and client sits where, and which links apply. */
export function describeTopology(topology: Topology): string[] {
  if (topology.implicit) return [];
  const lines = [`regions: ${topology.regions.join(', ')}`];
  for (const [name, placement] of topology.clusters) {
    lines.push(
      `  cluster ${name}: ${placement.brokerRegions.map((region, i) => `broker-${i + 1}@${region}`).join(', ')}`,
    );
  }
  lines.push(
    `  producers: ${topology.producerRegions.join(', ')} (in turn, per topic); consumers: a group in each of ${topology.consumerRegions.join(', ')}`,
  );
  for (const link of topology.links) {
    const extra = [
      link.jitterMs ? `±${link.jitterMs} ms` : '',
      link.bandwidthBytesPerSec ? `${link.bandwidthBytesPerSec} B/s` : '',
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(`  link ${link.from} → ${link.to}: ${link.latencyMs} ms one way${extra ? ` (${extra})` : ''}`);
  }
  return lines;
}
