/** The metrics a criterion may name, with the unit their thresholds are written in. */
export type MetricUnit = 'ms' | 'msgPerSec' | 'bytesPerSec' | 'bytes' | 'count';

const latencyStats = ['p50', 'p90', 'p99', 'p999', 'max', 'mean'];
const latencyKinds = ['publish', 'publishUncorrected', 'endToEnd'];

export const metricCatalog: ReadonlyMap<string, MetricUnit> = new Map<string, MetricUnit>([
  ['throughput.produced.messagesPerSec', 'msgPerSec'],
  ['throughput.produced.bytesPerSec', 'bytesPerSec'],
  ['throughput.consumed.messagesPerSec', 'msgPerSec'],
  ['throughput.consumed.bytesPerSec', 'bytesPerSec'],
  ...latencyKinds.flatMap((kind) =>
    latencyStats.map((stat): [string, MetricUnit] => [`latency.${kind}.${stat}`, 'ms']),
  ),
  ...[
    'sent',
    'acked',
    'consumed',
    'lost',
    'duplicated',
    'redelivered',
    'duplicatesUnclassified',
    'reordered',
    'unacked',
    'failed',
    'consumedUnacked',
    'foundByFinalRead',
    'notDelivered',
  ].map((m): [string, MetricUnit] => [`messages.${m}`, 'count']),
  ['errors.total', 'count'],
  ...latencyStats.map((stat): [string, MetricUnit] => [`replication.lag.${stat}`, 'ms']),
  ...latencyStats.map((stat): [string, MetricUnit] => [`replication.endToEnd.${stat}`, 'ms']),
  ['replication.throughput.messagesPerSec', 'msgPerSec'],
  ...[
    'acked',
    'replicated',
    'duplicated',
    'redelivered',
    'duplicatesUnclassified',
    'notReplicated',
    'foundByFinalRead',
    'seenUnacked',
    'lagNegative',
    'lagUnmeasured',
  ].map((m): [string, MetricUnit] => [`replication.${m}`, 'count']),
  ...['messages', 'inFlight', 'late', 'lost'].map((m): [string, MetricUnit] => [`rpo.${m}`, 'count']),
  ['rpo.ms', 'ms'],
  ['rto.produce', 'ms'],
  ['rto.consume', 'ms'],
  ['rto.consumedAgain', 'count'],
  ['rto.abandoned', 'count'],
  ['rto.resent', 'count'],
  ['rto.detectedMs', 'ms'],
  ['failover.max', 'ms'],
  ['failover.throughputMax', 'ms'],
  ['failover.consumerMax', 'ms'],
  // Resource use (cores, CPU-seconds and per million messages are plain numbers; memory and disk are sizes).
  ...['brokers', 'mirrorMakers', 'toxiproxies', 'harness'].flatMap(
    (kind): Array<[string, MetricUnit]> => [
      [`resources.${kind}.cpu.mean`, 'count'],
      [`resources.${kind}.cpu.max`, 'count'],
      [`resources.${kind}.cpuSeconds`, 'count'],
      [`resources.${kind}.cpuSecondsPerMillionMessages`, 'count'],
      [`resources.${kind}.rssBytes.mean`, 'bytes'],
      [`resources.${kind}.rssBytes.max`, 'bytes'],
      [`resources.${kind}.diskReadBytes`, 'bytes'],
      [`resources.${kind}.diskWrittenBytes`, 'bytes'],
    ],
  ),
  // The load generator's own cost (result.json `harness`): CPU µs per message, CPU-seconds and cores are plain numbers.
  ['harness.cpuMicrosPerMessage', 'count'],
  ['harness.cpuSeconds', 'count'],
  ['harness.cores.mean', 'count'],
  ['harness.cores.max', 'count'],
  ['harness.rssMaxBytes', 'bytes'],
]);
