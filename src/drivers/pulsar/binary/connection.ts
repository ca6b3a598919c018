/**
 * One TCP connection to one Pulsar broker: the CONNECT/CONNECTED handshake, request ids matched to their answers,
 * PING/PONG keep-alive, and the producers and consumers registered on it (by id) hearing their commands. When the
 * socket closes, every request waiting on it fails and every producer and consumer on it is told, so it can look
 * its topic up again and re-attach (connection-pool.ts hands out a new connection).
 */
import { connect, type Socket } from 'node:net';
import {
  type BaseCommand,
  CLIENT_VERSION,
  Cmd,
  decodeFrame,
  encodeCommand,
  type Frame,
  FrameReader,
  PROTOCOL_VERSION,
  toNumber,
} from './protocol.js';
import { serverErrorName } from './server-errors.js';

/** What a producer hears from its connection. */
export interface ProducerListener {
  onReceipt(command: BaseCommand): void;
  onSendError(command: BaseCommand): void;
  /** The broker closed the producer (CLOSE_PRODUCER) or the connection dropped. */
  onDisconnected(reason: string): void;
}

/** What a consumer hears from its connection. */
export interface ConsumerListener {
  onMessage(frame: Frame): void;
  /** The broker closed the consumer (CLOSE_CONSUMER) or the connection dropped. */
  onDisconnected(reason: string): void;
  onActiveChange?(active: boolean): void;
}

/** A request the broker refused (CommandError, or a lookup/metadata response that failed). */
export class BrokerError extends Error {
  constructor(
    readonly serverError: string,
    message: string,
  ) {
    super(`${serverError}: ${message}`);
  }
}

interface PendingRequest {
  resolve: (command: BaseCommand) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export const KEEP_ALIVE_MS = 30_000;
export const OPERATION_TIMEOUT_MS = 30_000;

/** A `pulsar://host:port` URL → host and port. */
export function hostAndPort(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  if (parsed.protocol !== 'pulsar:') throw new Error(`not a pulsar:// URL: ${url}`);
  return { host: parsed.hostname, port: Number(parsed.port || 6650) };
}

export class BrokerConnection {
  private readonly pending = new Map<number, PendingRequest>();
  private readonly producers = new Map<number, ProducerListener>();
  private readonly consumers = new Map<number, ConsumerListener>();
  private nextRequestId = 1;
  private lastHeardMs = performance.now();
  private keepAlive: NodeJS.Timeout | undefined;
  private closedReason: string | undefined;
  private readonly closeListeners: Array<(reason: string) => void> = [];

  private constructor(
    private readonly socket: Socket,
    readonly logicalUrl: string,
    private readonly log: (line: string) => void,
  ) {}

  /**
   * Opens a connection to `physicalUrl` (the broker, or the service URL when lookups say to go through it) for
   * the broker `logicalUrl`, and completes the handshake.
   */
  static open(
    logicalUrl: string,
    physicalUrl: string,
    log: (line: string) => void,
    signal?: AbortSignal,
    timeoutMs = OPERATION_TIMEOUT_MS,
  ): Promise<BrokerConnection> {
    const { host, port } = hostAndPort(physicalUrl);
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true });
      const connection = new BrokerConnection(socket, logicalUrl, log);
      const timer = setTimeout(
        () => fail(new Error(`no CONNECTED from ${physicalUrl} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const abandon = () => fail(new Error(`connecting to ${physicalUrl} abandoned: the client is closed`));
      const fail = (error: Error) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', abandon);
        socket.destroy();
        reject(error);
      };
      if (signal?.aborted) return abandon();
      signal?.addEventListener('abort', abandon, { once: true });
      socket.once('error', fail);
      socket.once('connect', () => {
        const connectCommand: Record<string, unknown> = {
          clientVersion: CLIENT_VERSION,
          protocolVersion: PROTOCOL_VERSION,
          // Reads a broker's entry metadata (its append time) where the broker stores and exposes it.
          featureFlags: { supportsBrokerEntryMetadata: true },
        };
        if (logicalUrl !== physicalUrl) connectCommand.proxyToBrokerUrl = logicalUrl.replace(/^pulsar:\/\//, '');
        socket.write(encodeCommand({ type: Cmd.CONNECT, connect: connectCommand }));
      });
      const reader = new FrameReader((bytes) => {
        const frame = decodeFrame(bytes);
        if (frame.command.type === Cmd.CONNECTED) {
          clearTimeout(timer);
          signal?.removeEventListener('abort', abandon);
          socket.removeListener('error', fail);
          connection.start(reader);
          resolve(connection);
        } else if (frame.command.type === Cmd.ERROR) {
          const e = frame.command.error;
          fail(new BrokerError(serverErrorName(e.error), `CONNECT refused: ${e.message}`));
        }
      });
      socket.on('data', (chunk: Buffer) => {
        try {
          reader.push(chunk);
        } catch (error) {
          fail(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  /** After the handshake: hands every frame to its request, producer or consumer; keeps the connection alive. */
  private start(reader: FrameReader): void {
    this.socket.removeAllListeners('data');
    this.socket.on('data', (chunk: Buffer) => {
      this.lastHeardMs = performance.now();
      try {
        reader.push(chunk);
      } catch (error) {
        this.close(`unreadable data from the broker (${error instanceof Error ? error.message : String(error)})`);
      }
    });
    reader.onFrame = (bytes) => this.dispatch(decodeFrame(bytes));
    this.socket.on('error', (error) => this.close(`socket error: ${error.message}`));
    this.socket.on('close', () => this.close('the broker closed the connection'));
    this.keepAlive = setInterval(() => {
      if (performance.now() - this.lastHeardMs > 2 * KEEP_ALIVE_MS) this.close('no answer to keep-alive pings');
      else this.write(encodeCommand({ type: Cmd.PING, ping: {} }));
    }, KEEP_ALIVE_MS);
    this.keepAlive.unref();
  }

  onClose(listener: (reason: string) => void): void {
    if (this.closedReason !== undefined) listener(this.closedReason);
    else this.closeListeners.push(listener);
  }

  write(frame: Buffer): boolean {
    if (this.closedReason !== undefined) return false;
    this.socket.write(frame);
    return true;
  }

  /** Sends a command that carries a request id (set here) and resolves with the broker's answer to it. */
  request(build: (requestId: number) => BaseCommand, timeoutMs = OPERATION_TIMEOUT_MS): Promise<BaseCommand> {
    const requestId = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      if (this.closedReason !== undefined) return reject(new Error(`connection closed: ${this.closedReason}`));
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new Error(`no answer from ${this.logicalUrl} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(requestId, { resolve, reject, timer });
      this.write(encodeCommand(build(requestId)));
    });
  }

  addProducer(producerId: number, listener: ProducerListener): void {
    this.producers.set(producerId, listener);
  }

  removeProducer(producerId: number): void {
    this.producers.delete(producerId);
  }

  addConsumer(consumerId: number, listener: ConsumerListener): void {
    this.consumers.set(consumerId, listener);
  }

  removeConsumer(consumerId: number): void {
    this.consumers.delete(consumerId);
  }

  close(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    clearInterval(this.keepAlive);
    this.socket.destroy();
    for (const [, request] of this.pending) {
      clearTimeout(request.timer);
      request.reject(new Error(`connection to ${this.logicalUrl} closed: ${reason}`));
    }
    this.pending.clear();
    const producers = [...this.producers.values()];
    const consumers = [...this.consumers.values()];
    this.producers.clear();
    this.consumers.clear();
    for (const producer of producers) producer.onDisconnected(`connection to ${this.logicalUrl} closed: ${reason}`);
    for (const consumer of consumers) consumer.onDisconnected(`connection to ${this.logicalUrl} closed: ${reason}`);
    for (const listener of this.closeListeners.splice(0)) listener(reason);
  }

  private dispatch(frame: Frame): void {
    const c = frame.command;
    switch (c.type) {
      case Cmd.MESSAGE:
        return void this.consumers.get(toNumber(c.message.consumerId))?.onMessage(frame);
      case Cmd.SEND_RECEIPT:
        return void this.producers.get(toNumber(c.sendReceipt.producerId))?.onReceipt(c);
      case Cmd.SEND_ERROR:
        return void this.producers.get(toNumber(c.sendError.producerId))?.onSendError(c);
      case Cmd.PING:
        this.write(encodeCommand({ type: Cmd.PONG, pong: {} }));
        return;
      case Cmd.PONG:
        return;
      case Cmd.CLOSE_PRODUCER: {
        const id = toNumber(c.closeProducer.producerId);
        const producer = this.producers.get(id);
        this.producers.delete(id);
        return void producer?.onDisconnected('the broker closed the producer (CLOSE_PRODUCER)');
      }
      case Cmd.CLOSE_CONSUMER: {
        const id = toNumber(c.closeConsumer.consumerId);
        const consumer = this.consumers.get(id);
        this.consumers.delete(id);
        return void consumer?.onDisconnected('the broker closed the consumer (CLOSE_CONSUMER)');
      }
      case Cmd.ACTIVE_CONSUMER_CHANGE:
        return void this.consumers
          .get(toNumber(c.activeConsumerChange.consumerId))
          ?.onActiveChange?.(c.activeConsumerChange.isActive === true);
      case Cmd.REACHED_END_OF_TOPIC:
        return;
      default:
        return void this.answer(c);
    }
  }

  /** A command answering a request: SUCCESS, ERROR, PRODUCER_SUCCESS, LOOKUP_RESPONSE, … */
  private answer(c: BaseCommand): void {
    const body =
      c.success ??
      c.error ??
      c.producerSuccess ??
      c.lookupTopicResponse ??
      c.partitionMetadataResponse ??
      c.getLastMessageIdResponse ??
      c.ackResponse;
    if (!body || body.requestId === undefined) {
      this.log(`Pulsar binary: ignored command type ${c.type} from ${this.logicalUrl}`);
      return;
    }
    const requestId = toNumber(body.requestId);
    const request = this.pending.get(requestId);
    if (!request) return;
    // A producer that is not ready yet (waiting for exclusive access) gets a second PRODUCER_SUCCESS later.
    if (c.type === Cmd.PRODUCER_SUCCESS && c.producerSuccess.producerReady === false) return;
    this.pending.delete(requestId);
    clearTimeout(request.timer);
    if (c.type === Cmd.ERROR) request.reject(new BrokerError(serverErrorName(c.error.error), c.error.message));
    else request.resolve(c);
  }
}
