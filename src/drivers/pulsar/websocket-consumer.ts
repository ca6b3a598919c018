/**
 * A consumer group over Pulsar's WebSocket API: `members` WebSockets on one subscription. Each message is handed
 * to the sink, then acknowledged on the socket that delivered it. A member whose socket drops subscribes again
 * to the same subscription (with the reconnect backoff) and goes on delivering: the broker redelivers what was
 * delivered but not acknowledged, which the books count as redeliveries.
 */
import type { ConsumerGroupHandle, MessageSink } from '../driver.js';
import { partitionOfMessageId } from './message-id.js';
import { ReconnectingSocket } from './reconnecting-socket.js';
import { parseDeliveredMessage, type ProblemCounter } from './websocket-frames.js';

export class WebSocketConsumerGroup implements ConsumerGroupHandle {
  private readonly members: ReconnectingSocket[] = [];

  constructor(
    readonly ordered: boolean,
    private readonly sink: MessageSink,
    private readonly clock: () => number,
    private readonly skipped: ProblemCounter,
    private readonly log: (line: string) => void,
  ) {}

  /** Subscribes one member; a failure of this first subscription is a start-up error. */
  async addMember(url: string, what: string): Promise<void> {
    const member = new ReconnectingSocket(
      url,
      what,
      {
        onOpen: (_socket, reconnected) => {
          if (reconnected) this.log(`${what}: subscribed again`);
        },
        onMessage: (text, socket) => {
          const receivedMs = this.clock();
          const frame = parseDeliveredMessage(text);
          if (!frame.ok) return this.skipped.record(frame.reason, text);
          this.sink(
            Buffer.from(frame.value.payload, 'base64'),
            receivedMs,
            partitionOfMessageId(frame.value.messageId),
            frame.value.messageId,
            frame.value.publishedMs,
          );
          socket.send(JSON.stringify({ messageId: frame.value.messageId }));
        },
        onDown: () => {},
      },
      this.log,
    );
    this.members.push(member);
    await member.connect();
  }

  get reconnects(): number {
    return this.members.reduce((sum, member) => sum + member.reconnects, 0);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.members.map((member) => member.close()));
  }
}
