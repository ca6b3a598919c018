/** Message keys by the scenario's keyDistribution: none, roundRobin over keyCount keys, or random among them. */
import type { WorkloadSpec } from '../scenario/schema.js';

export type KeyChooser = (sequence: number) => Buffer | null;

export function keyChooser(workload: Pick<WorkloadSpec, 'keyDistribution' | 'keyCount'>, producer: number): KeyChooser {
  const keys = Array.from({ length: workload.keyDistribution === 'none' ? 0 : workload.keyCount }, (_, i) =>
    Buffer.from(`key-${i}`),
  );
  switch (workload.keyDistribution) {
    case 'none':
      return () => null;
    case 'roundRobin':
      return (sequence) => keys[(sequence + producer) % keys.length]!;
    case 'random':
      return () => keys[Math.floor(Math.random() * keys.length)]!;
  }
}
