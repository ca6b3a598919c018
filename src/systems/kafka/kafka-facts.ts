/** Kafka as the scenario layer knows it: its drivers, what it can do, how MirrorMaker 2 replicates it. */
import type { EntryProblem, SystemFacts } from '../system-facts.js';

export const kafkaFacts: SystemFacts<'kafka'> = {
  name: 'kafka',
  label: 'Kafka',
  // auto: kafkajs (the reference); platformatic when a cluster names it.
  drivers: [
    { name: 'kafkajs' },
    {
      name: 'platformatic',
      noFollowerFetching:
        'the platformatic driver cannot fetch from a follower (@platformatic/kafka sends no rack id); use driver: kafkajs',
    },
  ],
  driverHelp: 'Kafka: kafkajs (auto) or platformatic (@platformatic/kafka: prefetching consumer, linger/batchSize).',
  followerFetching: true,
  replicator: {
    label: 'MirrorMaker 2',
    ownProcess: true,
    bothWays: false,
    renamesTopics: true,
    exactlyOnce: true,
    onePerTarget: true,
    loopsOnCycles: true,
    createsTargetTopics: true,
    reservedTopicConfig: {
      key: 'message.timestamp.type',
      why: "faultline sets its message.timestamp.type (LogAppendTime on the source, CreateTime on the target) to measure replication lag from the source's append time",
    },
    lagNeedsBrokerPublishTime: false,
    describe: (r) =>
      `${r.external ? 'an external MirrorMaker 2 (faultline measures it)' : 'MirrorMaker 2'}, ${r.policy} naming, ${r.exactlyOnce ? 'exactly-once (transactions; readers on the target read committed)' : 'at-least-once'}`,
  },
  // A consumer group: each partition read in order by one member at a time (both drivers).
  delivery: () => ({ type: 'consumer group', ordering: 'partition' }),
  checkEntry(cluster) {
    const problems: EntryProblem[] = [];
    if (cluster.provider === 'external' && !cluster.bootstrap)
      problems.push({
        path: [],
        key: 'provider',
        message: 'provider external needs a bootstrap address (bootstrap: host:port)',
      });
    if (cluster.webServiceUrl)
      problems.push({ path: ['webServiceUrl'], message: 'webServiceUrl is a Pulsar setting; this cluster is Kafka' });
    return problems;
  },
};
