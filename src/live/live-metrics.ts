/**
 * What the live endpoint shows during a run, in Prometheus' text exposition format (version 0.0.4): throughput,
 * latency quantiles, message counts and errors from the load's progress; faults in force; replication lag; and
 * each process's resource use from the sampler. Every series carries the cluster the workload runs on. It only
 * reads what the run already measures: the figures are those result.json will hold, as they stand.
 */
import type { FaultRecord } from '../faults/fault-injector.js';
import type { LoadProgress } from '../load/load-run.js';
import type { LatencySummary } from '../metrics/latency-histogram.js';
import type { ReplicationFigures } from '../metrics/replication-tracker.js';
import type { LoadSources } from '../report/output.js';
import type { ProcessTotals, ResourcePoint } from '../resources/resource-sampler.js';

interface ClusterState {
  progress?: LoadProgress;
  resources?: { point: ResourcePoint; totals: ReadonlyMap<string, ProcessTotals> };
  faults: Map<string, FaultRecord>;
  replication?: () => ReplicationFigures[];
}

const QUANTILES: Array<[string, keyof LatencySummary]> = [
  ['0.5', 'p50'],
  ['0.9', 'p90'],
  ['0.99', 'p99'],
  ['0.999', 'p999'],
  ['1', 'max'],
];

export class LiveMetrics {
  private readonly clusters = new Map<string, ClusterState>();

  private state(cluster: string): ClusterState {
    let state = this.clusters.get(cluster);
    if (!state) this.clusters.set(cluster, (state = { faults: new Map() }));
    return state;
  }

  /** The load started on `cluster`: follow its faults, replication and resource use. */
  started(cluster: string, sources: LoadSources): void {
    const state = this.state(cluster);
    sources.faults?.listen((record) => state.faults.set(record.id, record));
    sources.resources?.listen((point, totals) => this.resources(cluster, point, totals));
    if (sources.replication) state.replication = sources.replication;
  }

  load(cluster: string, progress: LoadProgress): void {
    this.state(cluster).progress = progress;
  }

  resources(cluster: string, point: ResourcePoint, totals: ReadonlyMap<string, ProcessTotals>): void {
    this.state(cluster).resources = { point, totals };
  }

  /** The exposition: every family once, its samples for every cluster seen so far. */
  render(): string {
    const families = new Map<string, { help: string; type: string; samples: string[] }>();
    const add = (name: string, type: string, help: string, labels: Record<string, string>, value: number) => {
      if (!Number.isFinite(value)) return;
      let family = families.get(name);
      if (!family) families.set(name, (family = { help, type, samples: [] }));
      const text = Object.entries(labels)
        .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
        .join(',');
      family.samples.push(`${name}{${text}} ${value}`);
    };
    for (const [cluster, state] of this.clusters) this.renderCluster(cluster, state, add);
    return [...families]
      .map(([name, f]) => `# HELP ${name} ${f.help}\n# TYPE ${name} ${f.type}\n${f.samples.join('\n')}\n`)
      .join('');
  }

  private renderCluster(
    cluster: string,
    state: ClusterState,
    add: (name: string, type: string, help: string, labels: Record<string, string>, value: number) => void,
  ): void {
    const c = { cluster };
    const p = state.progress;
    if (p) {
      const phases = ['warmup', 'measure', 'drain'];
      for (const phase of phases)
        add(
          'faultline_phase',
          'gauge',
          'The load phase now (1 for the current one).',
          { ...c, phase },
          +(p.phase === phase),
        );
      add('faultline_elapsed_seconds', 'gauge', 'Seconds since the load started.', c, p.elapsedMs / 1000);
      const counts: Array<[string, number, string]> = [
        ['sent', p.counts.sent, 'Messages handed to the client.'],
        ['acked', p.counts.acked, 'Messages the broker acknowledged.'],
        ['failed', p.counts.failed, 'Sends that failed.'],
        ['consumed', p.counts.consumed, 'Distinct messages delivered to the consumers.'],
        ['duplicated', p.counts.duplicated, 'Extra copies in the log.'],
      ];
      for (const [what, value, help] of counts) add(`faultline_messages_${what}_total`, 'counter', help, c, value);
      add('faultline_errors_total', 'counter', 'Client errors (failed sends).', c, p.counts.failed);
      const last = p.last;
      if (last) {
        const seconds = last.seconds ?? 1;
        add(
          'faultline_produced_messages_per_second',
          'gauge',
          'Acknowledged messages per second in the last second.',
          c,
          last.produced / seconds,
        );
        add(
          'faultline_consumed_messages_per_second',
          'gauge',
          'Consumed messages per second in the last second.',
          c,
          last.consumed / seconds,
        );
        add(
          'faultline_sent_messages_per_second',
          'gauge',
          'Messages sent per second in the last second.',
          c,
          last.sent / seconds,
        );
        if (last.publishP99 !== null)
          add(
            'faultline_last_second_latency_p99_ms',
            'gauge',
            'p99 latency over the last second, ms.',
            { ...c, kind: 'publish' },
            last.publishP99,
          );
        if (last.endToEndP99 !== null)
          add(
            'faultline_last_second_latency_p99_ms',
            'gauge',
            'p99 latency over the last second, ms.',
            { ...c, kind: 'endToEnd' },
            last.endToEndP99,
          );
      }
      const latency = p.snapshot().latency;
      for (const [kind, summary] of [
        ['publish', latency.publish],
        ['endToEnd', latency.endToEnd],
      ] as const) {
        if (!summary || summary.count === 0) continue;
        for (const [quantile, stat] of QUANTILES)
          add(
            'faultline_latency_ms',
            'gauge',
            'Latency from intended send time over the measurement window so far, ms.',
            { ...c, kind, quantile },
            summary[stat] as number,
          );
      }
    }
    for (const record of state.faults.values()) {
      const inForce = record.injectedAt !== null && record.healedAt === null && !record.error;
      add(
        'faultline_fault_in_force',
        'gauge',
        'A fault of the scenario: 1 while it is in force.',
        { ...c, fault: record.id, action: record.action, target: record.target },
        +inForce,
      );
    }
    for (const flow of state.replication?.() ?? []) {
      const labels = { ...c, from: flow.from, to: flow.to };
      add(
        'faultline_replication_replicated_total',
        'counter',
        'Messages seen on the replica.',
        labels,
        flow.messages.replicated,
      );
      add(
        'faultline_replication_not_replicated',
        'gauge',
        'Acknowledged on the source, not (yet) seen on the replica.',
        labels,
        flow.messages.notReplicated,
      );
      if (flow.lag)
        for (const [quantile, stat] of QUANTILES)
          add(
            'faultline_replication_lag_ms',
            'gauge',
            'Replication lag per message so far, ms.',
            { ...labels, quantile },
            flow.lag[stat] as number,
          );
    }
    const sampled = state.resources;
    if (sampled) {
      for (const [name, totals] of sampled.totals) {
        const labels = { ...c, process: name, kind: totals.kind };
        const now = sampled.point.processes[name];
        if (now)
          add('faultline_process_cpu_cores', 'gauge', 'Cores the process used over the last second.', labels, now.cpu);
        if (totals.rssBytes !== null)
          add('faultline_process_resident_memory_bytes', 'gauge', 'Resident memory.', labels, totals.rssBytes);
        add(
          'faultline_process_cpu_seconds_total',
          'counter',
          'CPU-seconds used since the load started.',
          labels,
          totals.cpuSeconds,
        );
        add(
          'faultline_process_disk_written_bytes_total',
          'counter',
          'Bytes written to storage since the load started.',
          labels,
          totals.writeBytes,
        );
        add(
          'faultline_process_disk_read_bytes_total',
          'counter',
          'Bytes read from storage since the load started.',
          labels,
          totals.readBytes,
        );
      }
    }
  }
}
