/**
 * The processes of a running topology whose resource use is sampled: the harness, each cluster's brokers, the
 * Toxiproxy server of each cluster whose links are proxied, and each MirrorMaker 2. Names carry the cluster's
 * ("main/broker-1", "main/toxiproxy"; MirrorMaker keeps its own, "mm2"). A broker or MirrorMaker 2 in a container
 * (its control describes an image) is read from the container's cgroup.
 */
import type { ProcessControl } from '../cluster/runtime.js';
import type { RunningTopology } from './running-topology.js';
import { harnessProcess, type SampledProcess } from '../resources/resource-sampler.js';

export function runProcesses(topology: Pick<RunningTopology, 'members' | 'replicators'>): SampledProcess[] {
  const processes: SampledProcess[] = [harnessProcess];
  for (const [cluster, member] of topology.members) {
    for (const { id, control } of member.cluster.processes ?? [])
      processes.push({ name: `${cluster}/broker-${id}`, kind: 'broker', ...followed(control) });
    const toxiproxy = member.toxiproxy;
    if (toxiproxy) processes.push({ name: `${cluster}/toxiproxy`, kind: 'toxiproxy', pid: () => toxiproxy.pid });
  }
  for (const { replicator } of topology.replicators) {
    const control = replicator.control;
    if (control && replicator.mirrorMaker)
      processes.push({ name: replicator.name, kind: 'mirrormaker', ...followed(control) });
  }
  return processes;
}

/** A process of a runtime: its pid now, read from its container's cgroup when it runs in one. */
function followed(control: Pick<ProcessControl, 'describe'>): Pick<SampledProcess, 'pid' | 'source'> {
  return {
    pid: () => control.describe().pid,
    // A container's control names its image whether or not it runs now.
    ...(control.describe().image !== undefined ? { source: 'cgroup' as const } : {}),
  };
}
