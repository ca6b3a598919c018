/**
 * The source's append time of each message, read on the source, for replications whose replicated records do not
 * carry it. Pulsar over the binary protocol: the producer's publishTime is the harness's clock, and the
 * geo-replicator drops the source's broker entry metadata before it sends an entry on (GeoPersistentReplicator
 * reads entries with MessageImpl.deserializeSkipBrokerEntryMetaData; the target broker adds its own, the target's
 * append time). So a reader on each source topic reads the broker entry metadata the source broker wrote when it
 * appended the entry (broker_timestamp, its wall clock: the Pulsar faultline starts, local or docker, runs
 * AppendBrokerTimestampMetadataInterceptor and exposes it to clients) and tells the trackers of the replications
 * of that topic (ReplicationTracker.onAppended), whichever of the two readers sees a message first. An entry
 * without that metadata (a broker not configured so) leaves its messages' lag unmeasured, and says so once.
 */
import type { ClusterEndpoints } from '../cluster/provider.js';
import type { ConsumerGroupHandle, DriverFactory, MessagingClient } from '../drivers/driver.js';
import type { PayloadCodec } from '../load/payload.js';
import type { ReplicationTracker } from '../metrics/replication-tracker.js';
import type { TopicSpec } from '../scenario/schema.js';

/** One replication whose lag counts from a reader on its source. */
export interface SourceReadFlow {
  /** The source cluster's name. */
  from: string;
  /** How the reader reaches the source (from the source's region). */
  endpoints: ClusterEndpoints;
  topics: TopicSpec[];
  tracker: ReplicationTracker;
}

export interface SourceReadOptions {
  runId: Buffer;
  codec: PayloadCodec;
  driver: DriverFactory;
  clock: () => number;
  /** A broker's wall-clock ms on the trackers' clock. */
  onLoadClock: (wallMs: number) => number;
  log: (line: string) => void;
  readyTimeoutMs: number;
  signal: AbortSignal;
}

export class SourceAppendTimes {
  /** Messages read on a source without a broker append time. */
  missing = 0;
  private readonly clients: MessagingClient[] = [];
  private readonly groups: ConsumerGroupHandle[] = [];

  private constructor(private readonly o: SourceReadOptions) {}

  /** A reader on every source topic of `flows` (one client per source cluster), subscribed before it returns. */
  static async start(flows: SourceReadFlow[], o: SourceReadOptions): Promise<SourceAppendTimes> {
    const reading = new SourceAppendTimes(o);
    try {
      for (const from of new Set(flows.map((f) => f.from))) {
        const ofSource = flows.filter((f) => f.from === from);
        const client = o.driver.createClient({
          endpoints: ofSource[0]!.endpoints,
          producerOptions: {},
          consumerOptions: { subscriptionType: 'Exclusive' },
          log: o.log,
          clock: o.clock,
        });
        reading.clients.push(client);
        const topics = new Map(ofSource.flatMap((f) => f.topics.map((t) => [t.name, t] as const)));
        for (const topic of topics.values()) {
          const trackers = ofSource.filter((f) => f.topics.some((t) => t.name === topic.name)).map((f) => f.tracker);
          reading.groups.push(await reading.read(client, from, topic, trackers));
        }
      }
    } catch (error) {
      await reading.close();
      throw error;
    }
    return reading;
  }

  private read(
    client: MessagingClient,
    from: string,
    topic: TopicSpec,
    trackers: ReplicationTracker[],
  ): Promise<ConsumerGroupHandle> {
    return client.createConsumerGroup({
      topic,
      group: `faultline-append-times-${this.o.runId.toString('hex')}`,
      members: 1,
      timestamp: 'brokerAppend',
      sink: (value, _receivedMs, _partition, _position, appendedWallMs) => {
        const header = this.o.codec.decode(value);
        if (!header) return;
        if (appendedWallMs === undefined || !Number.isFinite(appendedWallMs) || appendedWallMs <= 0) {
          if (this.missing++ === 0)
            this.o.log(
              `replication lag: ${from} hands over messages of ${topic.name} without the broker's append time (its brokers need brokerEntryMetadataInterceptors=org.apache.pulsar.common.intercept.AppendBrokerTimestampMetadataInterceptor and exposingBrokerEntryMetadataToClientEnabled=true): their lag is unmeasured`,
            );
          return;
        }
        const appendedMs = this.o.onLoadClock(appendedWallMs);
        for (const tracker of trackers) tracker.onAppended(header.producer, header.sequence, appendedMs);
      },
      readyTimeoutMs: this.o.readyTimeoutMs,
      signal: this.o.signal,
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.groups.map((g) => g.close().catch(() => {})));
    await Promise.all(this.clients.map((c) => c.close().catch(() => {})));
  }
}
