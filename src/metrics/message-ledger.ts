/**
 * The books of a run: which messages were acknowledged and which were consumed, per producer and sequence
 * number, in two bits per message (no set of ids). Lost = acknowledged but never consumed when the books close;
 * duplicated = consumed more than once; unacked = handed to the client but never acknowledged (not a loss).
 */
export class GrowableBitSet {
  private words = new Uint32Array(256);

  /** Sets bit `index`; returns whether it was already set. */
  set(index: number): boolean {
    const word = index >>> 5;
    if (word >= this.words.length) this.grow(word);
    const mask = 1 << (index & 31);
    const was = (this.words[word]! & mask) !== 0;
    this.words[word] = this.words[word]! | mask;
    return was;
  }

  /** Number of words (32 bits each) allocated. */
  get words32(): number {
    return this.words.length;
  }

  has(index: number): boolean {
    const word = index >>> 5;
    return word < this.words.length && (this.words[word]! & (1 << (index & 31))) !== 0;
  }

  get byteLength(): number {
    return this.words.byteLength;
  }

  private grow(word: number): void {
    let length = this.words.length;
    while (length <= word) length *= 2;
    const words = new Uint32Array(length);
    words.set(this.words);
    this.words = words;
  }
}

export interface LedgerCounts {
  sent: number;
  acked: number;
  failed: number;
  consumed: number;
  duplicated: number;
  /** Acknowledged and not (yet) consumed. After the drain, these are the lost messages. */
  ackedNotConsumed: number;
  /** Consumed although the producer never saw an ack (e.g. a timed-out send that did land). */
  consumedUnacked: number;
  /** Acknowledged, not delivered to the consumers by the end of the drain, but found in the log by the final read. */
  foundByFinalRead: number;
  /** First deliveries that came after a later message of the same producer on the same partition. */
  reordered: number;
}

export class MessageLedger {
  private readonly acked: GrowableBitSet[] = [];
  private readonly consumed: GrowableBitSet[] = [];
  /** Per producer: partition → highest sequence delivered from it so far. */
  private readonly highestByPartition: Array<Map<number, number>> = [];
  readonly counts: LedgerCounts = { sent: 0, acked: 0, failed: 0, consumed: 0, duplicated: 0, ackedNotConsumed: 0, consumedUnacked: 0, foundByFinalRead: 0, reordered: 0 };

  constructor(producerCount: number) {
    for (let i = 0; i < producerCount; i++) {
      this.acked.push(new GrowableBitSet());
      this.consumed.push(new GrowableBitSet());
      this.highestByPartition.push(new Map());
    }
  }

  recordSent(count: number): void {
    this.counts.sent += count;
  }

  recordFailed(count: number): void {
    this.counts.failed += count;
  }

  recordAcked(producer: number, sequence: number): void {
    if (this.acked[producer]!.set(sequence)) return;
    this.counts.acked++;
    if (this.consumed[producer]!.has(sequence)) this.counts.consumedUnacked--;
    else this.counts.ackedNotConsumed++;
  }

  /**
   * Returns false when this message had been consumed before (a duplicate). `partition` (-1: unknown) lets the
   * books count reordering: a first delivery below the highest sequence already delivered from that partition.
   */
  recordConsumed(producer: number, sequence: number, partition = -1): boolean {
    const consumed = this.consumed[producer];
    if (!consumed) return false;
    if (consumed.set(sequence)) {
      this.counts.duplicated++;
      return false;
    }
    this.counts.consumed++;
    if (partition >= 0) {
      const highest = this.highestByPartition[producer]!;
      const before = highest.get(partition) ?? -1;
      if (sequence < before) this.counts.reordered++;
      else highest.set(partition, sequence);
    }
    if (this.acked[producer]!.has(sequence)) this.counts.ackedNotConsumed--;
    else this.counts.consumedUnacked++;
    return true;
  }

  /** A message seen by the final read: no longer counted lost if it was acknowledged and never consumed. */
  recordFinalRead(producer: number, sequence: number): void {
    const consumed = this.consumed[producer];
    if (!consumed || consumed.has(sequence) || !this.acked[producer]!.has(sequence)) return;
    consumed.set(sequence);
    this.counts.ackedNotConsumed--;
    this.counts.foundByFinalRead++;
  }

  /** Up to `limit` acknowledged-but-never-consumed messages, as evidence for `lost`. */
  missing(limit: number): Array<{ producer: number; sequence: number }> {
    const found: Array<{ producer: number; sequence: number }> = [];
    this.acked.forEach((acked, producer) => {
      const consumed = this.consumed[producer]!;
      for (let sequence = 0; sequence < acked.words32 * 32 && found.length < limit; sequence++) {
        if (acked.has(sequence) && !consumed.has(sequence)) found.push({ producer, sequence });
      }
    });
    return found;
  }

  isKnownProducer(producer: number): boolean {
    return producer < this.consumed.length;
  }

  get unacked(): number {
    return this.counts.sent - this.counts.acked;
  }

  get memoryBytes(): number {
    return [...this.acked, ...this.consumed].reduce((sum, bits) => sum + bits.byteLength, 0);
  }
}
