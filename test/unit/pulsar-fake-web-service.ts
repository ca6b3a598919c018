/**
 * A fake Pulsar web service on 127.0.0.1 for unit tests of the WebSocket driver's own logic (reconnects, final
 * read, frame checks): the WebSocket producer, consumer and reader endpoints and the two admin calls the driver
 * makes. Each topic is a log of entries; a subscription has a cursor that redelivers what was delivered but not
 * acknowledged when its consumer goes, as Pulsar does. Not a broker: integration tests use the real one.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

/** Protobuf varint of a signed 32/64-bit value, as Java's protobuf writes int32 fields. */
export function varint(value: bigint): number[] {
  let v = BigInt.asUintN(64, value);
  const out: number[] = [];
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? byte | 0x80 : byte);
  } while (v > 0n);
  return out;
}

/** A MessageIdData protobuf in base64, as Pulsar's WebSocket API writes it. */
export function encodeMessageId(fields: {
  ledgerId: number;
  entryId: number;
  partition?: number;
  batchIndex?: number;
  batchSize?: number;
}): string {
  const pairs: Array<[number, number | undefined]> = [
    [1, fields.ledgerId],
    [2, fields.entryId],
    [3, fields.partition],
    [4, fields.batchIndex],
    [6, fields.batchSize],
  ];
  return Buffer.from(
    pairs
      .filter((p): p is [number, number] => p[1] !== undefined)
      .flatMap(([f, v]) => [(f << 3) | 0, ...varint(BigInt(v))]),
  ).toString('base64');
}

interface Entry {
  payload: string;
  messageId: string;
}

class Subscription {
  readonly consumers: WebSocket[] = [];
  readonly acked = new Set<number>();
  readonly inFlight = new Map<number, WebSocket>();
  constructor(readonly start: number) {}
}

class Topic {
  readonly entries: Entry[] = [];
  readonly closedLedgers: Array<{ ledgerId: number; entries: number }> = [];
  ledgerId: number;
  ledgerEntries = 0;
  readonly subscriptions = new Map<string, Subscription>();
  readonly byId = new Map<string, number>();

  constructor(
    ledgerId: number,
    readonly partition: number,
  ) {
    this.ledgerId = ledgerId;
  }

  append(payload: string): Entry {
    const entry = {
      payload,
      messageId: encodeMessageId({ ledgerId: this.ledgerId, entryId: this.ledgerEntries++, partition: this.partition }),
    };
    this.byId.set(entry.messageId, this.entries.length);
    this.entries.push(entry);
    for (const subscription of this.subscriptions.values()) this.deliver(subscription);
    return entry;
  }

  /** A restart: the current ledger is closed and a new, empty one opened. */
  rollLedger(nextId: number): void {
    this.closedLedgers.push({ ledgerId: this.ledgerId, entries: this.ledgerEntries });
    this.ledgerId = nextId;
    this.ledgerEntries = 0;
  }

  deliver(subscription: Subscription): void {
    const live = subscription.consumers.filter((c) => c.readyState === WebSocket.OPEN);
    if (live.length === 0) return;
    for (let index = subscription.start; index < this.entries.length; index++) {
      if (subscription.acked.has(index) || subscription.inFlight.has(index)) continue;
      const consumer = live[index % live.length]!;
      subscription.inFlight.set(index, consumer);
      consumer.send(
        JSON.stringify({
          ...this.entries[index],
          properties: {},
          publishTime: new Date().toISOString(),
          redeliveryCount: 0,
        }),
      );
    }
  }

  internalStats(): Record<string, unknown> {
    return {
      numberOfEntries: this.entries.length,
      lastConfirmedEntry: `${this.ledgerId}:${this.ledgerEntries - 1}`,
      ledgers: [...this.closedLedgers, { ledgerId: this.ledgerId, entries: 0 }],
    };
  }
}

export class FakePulsarWebService {
  readonly topics = new Map<string, Topic>();
  /** WebSocket upgrades asked for, by endpoint (producer, consumer, reader), refused ones included. */
  readonly attempts = { producer: 0, consumer: 0, reader: 0 };
  /** While true, every WebSocket upgrade is answered 503 (the broker is restarting). */
  refusing = false;
  /** While true, producers' messages are neither written nor answered. */
  holdReplies = false;
  /** When set, a reader's socket is dropped after this many messages. */
  readerDropsAfter: number | undefined;
  private nextLedger = 100;
  private readonly sockets = new Set<WebSocket>();
  private readonly connections = new Set<Socket>();
  private readonly wss = new WebSocketServer({ noServer: true });

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<FakePulsarWebService> {
    const fake = new FakePulsarWebService(http.createServer((req, res) => fake.admin(req, res)));
    fake.server.on('upgrade', (req, socket, head) => fake.upgrade(req, socket as Socket, head));
    fake.server.on('connection', (socket) => {
      fake.connections.add(socket);
      socket.once('close', () => fake.connections.delete(socket));
    });
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  topic(name: string): Topic {
    let topic = this.topics.get(name);
    if (!topic) {
      const partition = /-partition-(\d+)$/.exec(name);
      topic = new Topic(this.nextLedger++, partition ? Number(partition[1]) : -1);
      this.topics.set(name, topic);
    }
    return topic;
  }

  /** Every WebSocket is cut, as a broker restart cuts them; with `newLedgers`, every topic opens a new ledger. */
  dropAll(options: { newLedgers?: boolean } = {}): void {
    for (const socket of this.sockets) socket.terminate();
    if (options.newLedgers) for (const topic of this.topics.values()) topic.rollLedger(this.nextLedger++);
  }

  /** Sends a raw text frame to every socket of an endpoint. */
  sendRaw(kind: 'producer' | 'consumer', text: string): void {
    for (const socket of this.sockets) if ((socket as WebSocket & { kind?: string }).kind === kind) socket.send(text);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    for (const connection of this.connections) connection.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private admin(req: http.IncomingMessage, res: http.ServerResponse): void {
    const match = /^\/admin\/v2\/persistent\/public\/default\/([^/]+)\/(subscriptions|internalStats)$/.exec(
      req.url ?? '',
    );
    const topic = match ? this.topics.get(decodeURIComponent(match[1]!)) : undefined;
    res.setHeader('content-type', 'application/json');
    if (!match || !topic) {
      res.statusCode = 404;
      res.end(JSON.stringify({ reason: 'Topic not found' }));
      return;
    }
    res.end(JSON.stringify(match[2] === 'subscriptions' ? [...topic.subscriptions.keys()] : topic.internalStats()));
  }

  private upgrade(req: http.IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const parts = url.pathname.split('/'); // ['', 'ws', 'v2', kind, 'persistent', 'public', 'default', topic, subscription?]
    const kind = parts[3] as 'producer' | 'consumer' | 'reader';
    if (kind in this.attempts) this.attempts[kind]++;
    if (this.refusing || !(kind in this.attempts)) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const topic = this.topic(decodeURIComponent(parts[7] ?? ''));
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.sockets.add(ws);
      (ws as WebSocket & { kind?: string }).kind = kind;
      ws.once('close', () => this.sockets.delete(ws));
      if (kind === 'producer') this.producer(ws, topic);
      else if (kind === 'consumer') this.consumer(ws, topic, decodeURIComponent(parts[8] ?? ''));
      else this.reader(ws, topic);
    });
  }

  private producer(ws: WebSocket, topic: Topic): void {
    ws.on('message', (data) => {
      if (this.holdReplies) return;
      const frame = JSON.parse(data.toString()) as { payload: string; context: string };
      const entry = topic.append(frame.payload);
      ws.send(JSON.stringify({ result: 'ok', messageId: entry.messageId, context: frame.context }));
    });
  }

  private consumer(ws: WebSocket, topic: Topic, name: string): void {
    let subscription = topic.subscriptions.get(name);
    if (!subscription) {
      subscription = new Subscription(topic.entries.length);
      topic.subscriptions.set(name, subscription);
    }
    const sub = subscription;
    sub.consumers.push(ws);
    ws.on('message', (data) => {
      const index = topic.byId.get((JSON.parse(data.toString()) as { messageId: string }).messageId);
      if (index !== undefined && sub.inFlight.get(index) === ws) {
        sub.inFlight.delete(index);
        sub.acked.add(index);
      }
    });
    ws.once('close', () => {
      sub.consumers.splice(sub.consumers.indexOf(ws), 1);
      for (const [index, holder] of sub.inFlight) if (holder === ws) sub.inFlight.delete(index);
      topic.deliver(sub);
    });
    topic.deliver(sub);
  }

  private reader(ws: WebSocket, topic: Topic): void {
    ws.on('message', () => {});
    topic.entries.forEach((entry, index) => {
      if (this.readerDropsAfter !== undefined && index >= this.readerDropsAfter) return;
      ws.send(JSON.stringify({ ...entry, properties: {}, publishTime: new Date().toISOString() }));
    });
    if (this.readerDropsAfter !== undefined) setImmediate(() => ws.terminate());
  }
}
