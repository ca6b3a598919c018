/**
 * A WebSocket to the Pulsar web service that comes back after it drops, as the official clients' connections
 * do: reconnect attempts at exponential intervals (100 ms doubling up to a bound), forever, until close(). The
 * first connection is made by connect() and its failure is the caller's (a start-up error); later ones are
 * this class's business. Owners hear of each new socket, each message and each loss.
 */
import WebSocket from 'ws';
import { InfrastructureError } from '../../errors.js';

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

/** Bounded so that a broker back after a restart is found again within about 2 s. */
export const RECONNECT_BACKOFF: Backoff = { initialMs: 100, maxMs: 2_000 };

/** The wait before reconnect attempt `attempt` (0-based): initialMs × 2^attempt, at most maxMs. */
export function backoffDelay(attempt: number, backoff: Backoff): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt, 30));
}

const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Opens one WebSocket; rejects with the HTTP status and the start of the answer when the server refuses.
 * `onOpen` runs as the socket opens, before any message event: a server may send its first frames in the same
 * packet as the handshake's answer, and a listener added after an await would miss them.
 */
export function openWebSocket(url: string, what: string, onOpen: (socket: WebSocket) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: HANDSHAKE_TIMEOUT_MS });
    let settled = false;
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.terminate();
      reject(new InfrastructureError(`Pulsar WebSocket ${what} ${reason}`));
    };
    socket.once('open', () => {
      if (settled) return;
      settled = true;
      socket.removeAllListeners();
      onOpen(socket);
      resolve(socket);
    });
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      const refused = () =>
        fail(
          `refused: HTTP ${response.statusCode}${
            body
              ? ` ${body
                  .replace(/<[^>]*>/g, ' ')
                  .replace(/\s+/g, ' ')
                  .trim()
                  .slice(0, 300)}`
              : ''
          }`,
        );
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk.slice(0, 2000)));
      response.once('end', refused);
      response.once('error', refused);
      setTimeout(refused, 1_000).unref();
    });
    socket.once('error', (error) => fail(`failed: ${error.message}`));
  });
}

export interface SocketOwner {
  /** A (re)connected socket is open; `reconnected` is false for the first one. */
  onOpen(socket: WebSocket, reconnected: boolean): void;
  onMessage(text: string, socket: WebSocket): void;
  /** The open socket was lost (not by close()); a reconnect is scheduled. */
  onDown(reason: string): void;
}

export class ReconnectingSocket {
  private socket: WebSocket | undefined;
  private closed = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private downSince = 0;
  private readonly openWaiters = new Set<() => void>();
  /** How many times the socket came back after a loss. */
  reconnects = 0;

  constructor(
    private readonly url: string,
    readonly what: string,
    private readonly owner: SocketOwner,
    private readonly log: (line: string) => void,
    private readonly backoff: Backoff = RECONNECT_BACKOFF,
  ) {}

  /** The first connection; rejects (no retry) when it cannot be made. */
  async connect(): Promise<void> {
    await openWebSocket(this.url, this.what, (socket) => this.adopt(socket, false));
  }

  /** The socket, while it is open. */
  get current(): WebSocket | undefined {
    return this.socket?.readyState === WebSocket.OPEN ? this.socket : undefined;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Resolves when a socket is open, the wait ran out, or the socket was closed for good. */
  waitOpen(timeoutMs: number): Promise<void> {
    if (this.current || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.openWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.openWaiters.add(done);
    });
  }

  /** Ends the socket for good: no reconnect after this. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = undefined;
    for (const wake of [...this.openWaiters]) wake();
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.terminate();
        resolve();
      }, 2_000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.close();
    });
  }

  /** Drops the current socket as if the connection broke (e.g. no answer in time): a reconnect follows. */
  drop(reason: string): void {
    const socket = this.socket;
    if (!socket) return;
    this.lost(socket, reason);
    socket.terminate();
  }

  private adopt(socket: WebSocket, reconnected: boolean): void {
    this.socket = socket;
    this.attempt = 0;
    socket.on('message', (data) => {
      if (this.socket === socket) this.owner.onMessage(data.toString(), socket);
    });
    socket.on('error', (error) => this.log(`${this.what}: WebSocket error: ${error.message}`));
    socket.once('close', (code, reason) =>
      this.lost(socket, `closed (code ${code}${reason.length ? `, ${reason.toString()}` : ''})`),
    );
    this.owner.onOpen(socket, reconnected);
    for (const wake of [...this.openWaiters]) wake();
  }

  private lost(socket: WebSocket, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    if (this.closed) return;
    this.downSince = performance.now();
    this.log(`${this.what}: WebSocket ${reason}; reconnecting`);
    this.owner.onDown(reason);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const delay = backoffDelay(this.attempt++, this.backoff);
    this.timer = setTimeout(() => void this.reconnect(), delay);
  }

  private async reconnect(): Promise<void> {
    if (this.closed) return;
    try {
      await openWebSocket(this.url, this.what, (socket) => {
        if (this.closed) {
          socket.on('error', () => {});
          socket.terminate();
          return;
        }
        this.reconnects++;
        this.log(
          `${this.what}: reconnected after ${Math.round(performance.now() - this.downSince)} ms (${this.attempt} attempt(s))`,
        );
        this.adopt(socket, true);
      });
    } catch (error) {
      if (this.closed) return;
      if (this.attempt <= 3 || this.attempt % 10 === 0)
        this.log(
          `${this.what}: reconnect attempt ${this.attempt} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      this.scheduleReconnect();
    }
  }
}
