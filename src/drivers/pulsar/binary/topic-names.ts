/** Full Pulsar topic names for scenario topics (all in public/default, persistent). */
import { PULSAR_NAMESPACE } from '../pulsar-admin.js';

export function fullTopicName(name: string): string {
  return `persistent://${PULSAR_NAMESPACE}/${name}`;
}

/** The topic of each partition (the topic itself when it is not partitioned: partition -1). */
export function partitionNames(topic: string, partitions: number): Array<{ name: string; partition: number }> {
  return partitions > 0
    ? Array.from({ length: partitions }, (_, i) => ({ name: `${topic}-partition-${i}`, partition: i }))
    : [{ name: topic, partition: -1 }];
}
