/**
 * The clients of a run made of several loads in a row (the steps of a max-rate search) on one messaging client.
 * Each step's producers are its own and closed when the step ends (a step's abandoned sends die with them). Each
 * consumer group is opened once, by the first step, and kept: later steps get the same group with their own
 * sink, so no step re-reads the log from the start (groups read from the earliest offset) and no idle group of an
 * earlier step fetches while a later one is measured. A step's payloads carry their own run id, so a message of an
 * earlier step that arrives late is foreign to the step that receives it.
 */
import type {
  ConsumerGroupHandle,
  ConsumerGroupRequest,
  MessageSink,
  MessagingClient,
  ProducerHandle,
} from '../drivers/driver.js';
import type { TopicSpec } from '../scenario/schema.js';

interface KeptGroup {
  handle: ConsumerGroupHandle;
  sink: MessageSink;
}

export class StepClients implements MessagingClient {
  private producers: ProducerHandle[] = [];
  private readonly groups = new Map<string, KeptGroup>();

  constructor(private readonly client: MessagingClient) {}

  get acknowledgesWrites(): boolean | undefined {
    return this.client.acknowledgesWrites;
  }

  get producerReorderCaveat(): string | undefined {
    return this.client.producerReorderCaveat;
  }

  async createProducer(id: number, topic: TopicSpec): Promise<ProducerHandle> {
    const producer = await this.client.createProducer(id, topic);
    this.producers.push(producer);
    return producer;
  }

  async createConsumerGroup(request: ConsumerGroupRequest): Promise<ConsumerGroupHandle> {
    const key = `${request.topic.name}\u0000${request.region ?? ''}`;
    const kept = this.groups.get(key);
    if (kept) {
      kept.sink = request.sink;
      return { ordered: kept.handle.ordered, close: async () => {} };
    }
    const group: KeptGroup = { handle: { ordered: true, close: async () => {} }, sink: request.sink };
    group.handle = await this.client.createConsumerGroup({
      ...request,
      sink: (...delivery) => group.sink(...delivery),
    });
    this.groups.set(key, group);
    return { ordered: group.handle.ordered, close: async () => {} };
  }

  get finalRead(): MessagingClient['finalRead'] {
    return this.client.finalRead?.bind(this.client);
  }

  /** Closes the step's producers (the consumer groups stay for the next step). */
  async endStep(): Promise<void> {
    const producers = this.producers;
    this.producers = [];
    await Promise.all(producers.map((p) => p.close().catch(() => {})));
  }

  /** Closes the step's producers and every consumer group; the messaging client itself is its owner's to close. */
  async close(): Promise<void> {
    await this.endStep();
    const groups = [...this.groups.values()];
    this.groups.clear();
    await Promise.all(groups.map((g) => g.handle.close().catch(() => {})));
  }
}
