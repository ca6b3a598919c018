/**
 * Clients placed in regions: one driver client per region, each reaching the cluster through its own region's
 * path (the endpoints a broker advertises to that region), so a producer in a remote region pays the link and
 * one beside the broker does not. Producers go to their own region's client, each consumer group to its
 * region's.
 */
import type { ClusterEndpoints } from '../cluster/provider.js';
import type { TopicSpec } from '../scenario/schema.js';
import type {
  ClientContext,
  ConsumerGroupHandle,
  ConsumerGroupRequest,
  DriverFactory,
  MessageSink,
  MessagingClient,
  ProducerHandle,
} from './driver.js';

export interface ClientPlacement {
  /** Region of the producer with this id. */
  producerRegion: (producerId: number) => string;
  /** Regions consumers sit in: one consumer group per region, each with its own books (src/metrics/group-books.ts). */
  consumerRegions: string[];
  /** How a client in `region` reaches the cluster. */
  endpointsIn: (region: string) => ClusterEndpoints;
}

export class PlacedClient implements MessagingClient {
  private readonly clients = new Map<string, MessagingClient>();
  readonly acknowledgesWrites: boolean;
  readonly producerReorderCaveat: string | undefined;

  constructor(
    private readonly driver: DriverFactory,
    private readonly context: ClientContext,
    private readonly placement: ClientPlacement,
  ) {
    const home = this.clientIn(placement.consumerRegions[0]!);
    this.acknowledgesWrites = home.acknowledgesWrites ?? true;
    this.producerReorderCaveat = home.producerReorderCaveat;
    if (home.finalRead) this.finalRead = (topics, sink, timeoutMs) => home.finalRead!(topics, sink, timeoutMs);
  }

  readonly finalRead?: (topics: TopicSpec[], sink: MessageSink, timeoutMs: number) => Promise<boolean>;

  createProducer(id: number, topic: TopicSpec): Promise<ProducerHandle> {
    return this.clientIn(this.placement.producerRegion(id)).createProducer(id, topic);
  }

  createConsumerGroup(request: ConsumerGroupRequest): Promise<ConsumerGroupHandle> {
    return this.clientIn(request.region ?? this.placement.consumerRegions[0]!).createConsumerGroup(request);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.clients.values()].map((client) => client.close()));
  }

  private clientIn(region: string): MessagingClient {
    let client = this.clients.get(region);
    if (!client) {
      client = this.driver.createClient({ ...this.context, endpoints: this.placement.endpointsIn(region), region });
      this.clients.set(region, client);
    }
    return client;
  }
}
