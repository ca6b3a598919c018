/** Fault targets: broker-N, random, leader(topic, partition), controller, all, mirrormaker(cluster). */
export type FaultTarget =
  | { kind: 'broker'; id: number }
  | { kind: 'random' }
  | { kind: 'leader'; topic: string; partition: number }
  | { kind: 'controller' }
  | { kind: 'all' }
  /**
   * Every broker of a region (region-outage): resolved at plan time — the workload cluster's (`ids`) and, for
   * `mode: kill`, those of the other clusters of the run there (`peers`) and the MirrorMaker 2 workers that sit
   * there (`mirrorMakers`: by the cluster each replicates into; one runs in its target's region).
   */
  | {
      kind: 'region';
      region: string;
      ids: number[];
      peers?: Array<{ cluster: string; ids: number[] }>;
      mirrorMakers?: string[];
    }
  /** The MirrorMaker 2 process that replicates into `cluster` (process faults only). */
  | { kind: 'mirrormaker'; cluster: string };

export class TargetSyntaxError extends Error {}

export function parseTarget(text: string): FaultTarget {
  const trimmed = text.trim();
  const broker = /^broker-(\d+)$/.exec(trimmed);
  if (broker) return { kind: 'broker', id: Number(broker[1]) };
  const leader = /^leader\(\s*([A-Za-z0-9._-]+)\s*,\s*(\d+)\s*\)$/.exec(trimmed);
  if (leader) return { kind: 'leader', topic: leader[1]!, partition: Number(leader[2]) };
  if (trimmed === 'random' || trimmed === 'controller' || trimmed === 'all') return { kind: trimmed };
  const mirrorMaker = /^mirrormaker\(\s*([A-Za-z0-9._-]+)\s*\)$/.exec(trimmed);
  if (mirrorMaker) return { kind: 'mirrormaker', cluster: mirrorMaker[1]! };
  throw new TargetSyntaxError(
    `expected broker-N, random, leader(topic, partition), controller, all or mirrormaker(cluster), got "${text}"`,
  );
}

export function formatTarget(target: FaultTarget): string {
  switch (target.kind) {
    case 'broker':
      return `broker-${target.id}`;
    case 'leader':
      return `leader(${target.topic}, ${target.partition})`;
    case 'region':
      return `region(${target.region})`;
    case 'mirrormaker':
      return `mirrormaker(${target.cluster})`;
    default:
      return target.kind;
  }
}

/** Deterministic random numbers in [0, 1) from a seed (mulberry32), so a nemesis run can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
