/**
 * The processes of a running topology whose resource use is sampled: the harness, each cluster's brokers, the
 * Toxiproxy server of each cluster whose links are proxied, and each MirrorMaker 2. Names carry the cluster's
 * ("main/broker-1", "main/toxiproxy"; MirrorMaker keeps its own, "mm2").
 */
import type { RunningTopology } from './running-topology.js';
import { harnessProcess, type SampledProcess } from '../resources/resource-sampler.js';

export function runProcesses(topology: Pick<RunningTopology, 'members' | 'replicators'>): SampledProcess[] {
  const processes: SampledProcess[] = [harnessProcess];
  for (const [cluster, member] of topology.members) {
    for (const { id, control } of member.cluster.processes ?? [])
      processes.push({ name: `${cluster}/broker-${id}`, kind: 'broker', pid: () => control.describe().pid });
    const toxiproxy = member.toxiproxy;
    if (toxiproxy) processes.push({ name: `${cluster}/toxiproxy`, kind: 'toxiproxy', pid: () => toxiproxy.pid });
  }
  for (const { replicator } of topology.replicators) {
    const control = replicator.control;
    if (control && replicator.mirrorMaker)
      processes.push({ name: replicator.name, kind: 'mirrormaker', pid: () => control.describe().pid });
  }
  return processes;
}
