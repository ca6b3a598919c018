/**
 * Failover detection from what a client sees: the producers have had no acknowledgement for `noAckForMs` while
 * a send was waiting. The silence counts from the later of the last acknowledgement and the oldest send still
 * waiting (a client that sends nothing cannot tell a dead cluster from an idle one). It fires once, on a timer set
 * for the exact moment the rule would hold; an acknowledgement or a settled send moves that moment.
 */
export class NoAckDetector {
  private lastAckMs = Number.NEGATIVE_INFINITY;
  private readonly waiting = new Map<number, number>();
  private nextId = 0;
  private timer: NodeJS.Timeout | undefined;
  private armed = false;
  /** When the rule held (load clock, ms); null until it did. */
  firedAtMs: number | null = null;

  constructor(
    private readonly noAckForMs: number,
    private readonly clock: () => number,
    private readonly onFire: (atMs: number) => void,
  ) {}

  /** From now on the rule may fire (as the load starts). */
  arm(): void {
    this.armed = true;
    this.schedule();
  }

  /** No more firing (producing ended, or the clients moved). */
  disarm(): void {
    this.armed = false;
    clearTimeout(this.timer);
  }

  /** A send went out; returns its handle for settled(). */
  sent(): number {
    const id = this.nextId++;
    this.waiting.set(id, this.clock());
    if (this.waiting.size === 1) this.schedule();
    return id;
  }

  acked(atMs: number): void {
    this.lastAckMs = Math.max(this.lastAckMs, atMs);
  }

  /** The send is no longer waiting (acknowledged in full, or failed). */
  settled(id: number): void {
    this.waiting.delete(id);
  }

  /** When the rule holds if nothing changes: silence since max(last ack, oldest waiting send) reaches the bound. */
  dueAtMs(): number | null {
    let oldest = Number.POSITIVE_INFINITY;
    for (const sentMs of this.waiting.values()) oldest = Math.min(oldest, sentMs);
    if (oldest === Number.POSITIVE_INFINITY) return null;
    return Math.max(this.lastAckMs, oldest) + this.noAckForMs;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (!this.armed || this.firedAtMs !== null) return;
    const due = this.dueAtMs();
    if (due === null) return; // the next send schedules again
    this.timer = setTimeout(() => this.check(), Math.max(0, due - this.clock()));
    this.timer.unref();
  }

  private check(): void {
    if (!this.armed || this.firedAtMs !== null) return;
    const due = this.dueAtMs();
    const now = this.clock();
    if (due !== null && now >= due) {
      this.firedAtMs = now;
      this.disarm();
      this.onFire(now);
      return;
    }
    this.schedule();
  }
}
