/** Pulsar as the scenario layer knows it: its drivers, what it can do, how geo-replication replicates it. */
import {
  deliversInPartitionOrder,
  type PulsarConsumerOptions,
  pulsarConsumerOptions,
} from '../../drivers/pulsar/pulsar-options.js';
import type { EntryProblem, SystemFacts } from '../system-facts.js';

export const pulsarFacts: SystemFacts<'pulsar'> = {
  name: 'pulsar',
  label: 'Pulsar',
  // auto: the native addon when it loads, else the binary protocol in TypeScript; the WebSocket API on request.
  drivers: [
    {
      name: 'native',
      // Its binary traffic would take the proxied path the binary driver takes (local-pulsar.ts), but the addon
      // cannot be installed here, so no run has shown a fault acting on its messages: refused until one does.
      bypassesClientProxies: {
        why: "no run has shown a Toxiproxy fault acting on the native addon's binary connections (the addon cannot be installed here to show it)",
      },
    },
    // With a proxied network every client reaches the binary port through a proxy the broker advertises (one per
    // client region, or one without regions: local-pulsar.ts), so network faults act on its messages.
    { name: 'binary' },
    { name: 'websocket' },
  ],
  driverHelp:
    'Pulsar: native (pulsar-client addon), binary (the binary protocol in TypeScript) or websocket; auto picks native when it loads, else binary.',
  followerFetching: 'follower fetching is a Kafka feature (KIP-392)',
  noBrokerLinks: 'the local Pulsar standalone has no broker-to-broker links to cut',
  noTopicConfig: 'topic config is passed to Kafka only; Pulsar topic policies are not supported yet',
  replicator: {
    label: 'Pulsar geo-replication',
    ownProcess: false,
    bothWays: true,
    renamesTopics: false,
    exactlyOnce: false,
    onePerTarget: false,
    // Geo-replication marks replicated messages and never sends them back: its cycles are fine.
    loopsOnCycles: false,
    createsTargetTopics: false,
    lagNeedsBrokerPublishTime: true,
    describe: () => 'Pulsar geo-replication of the namespace, both ways',
  },
  // A Kafka consumer group reads each partition in order, one member at a time; so does a Failover subscription
  // (Shared, the default alone, promises no order: its reordering would not be measured).
  comparisonConsumerDefaults: { subscriptionType: 'Failover' },
  delivery(consumerOptions) {
    const type = pulsarConsumerOptions.shape.subscriptionType.parse(consumerOptions.subscriptionType);
    const ordering = deliversInPartitionOrder({ subscriptionType: type } as PulsarConsumerOptions)
      ? 'partition'
      : type === 'Key_Shared'
        ? 'key'
        : 'none';
    return { type, option: 'subscriptionType', ordering };
  },
  checkEntry(cluster) {
    const problems: EntryProblem[] = [];
    if (cluster.provider === 'external' && !cluster.webServiceUrl)
      problems.push({
        path: [],
        key: 'provider',
        message: 'provider external for Pulsar needs webServiceUrl (e.g. http://host:8080)',
      });
    if (cluster.provider === 'local' && cluster.brokers !== 1)
      problems.push({
        path: ['brokers'],
        message: 'the local Pulsar provider runs one standalone broker (with in-process BookKeeper): brokers must be 1',
      });
    return problems;
  },
};
