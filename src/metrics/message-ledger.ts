/**
 * The books of a run: which messages were acknowledged and which were consumed, per producer and sequence
 * number, in bits per message (no set of ids), plus, per consumed message, a 32-bit fingerprint of where it was
 * first read in the log (and, only for the few messages read at more than one position, the further ones), and,
 * per producer and partition, the longest in-order run of first deliveries.
 *
 * - lost = acknowledged, never delivered to the group, and not found in the log by the final read;
 * - duplicated = extra copies in the log: the same message delivered again from a position (offset or message id)
 *   it had not been read at before, i.e. written twice by the producer (a retry after a lost response);
 * - redelivered = a copy delivered again from a position it had already been read at (any of its copies, not
 *   only the first): the consumer's doing (a rebalance, an ack timeout), not the log's;
 * - reordered = displaced first deliveries: how many would have to move to put each producer's messages on each
 *   partition back in order (first deliveries minus the longest in-order subsequence), so one message early or
 *   one message late both count 1;
 * - unacked = handed to the client but never acknowledged (not a loss).
 */
import { messageKey } from '../load/payload.js';
import { GrowableUint32Array } from './growable-array.js';

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

/**
 * Longest strictly increasing subsequence of the sequence numbers first delivered on one producer × partition
 * stream (patience sorting: `tails[i]` is the smallest last element of an in-order run of length i + 1).
 */
class InOrderRun {
  private readonly tails = new GrowableUint32Array();
  length = 0;

  /** Returns true when `sequence` displaced an earlier tail, i.e. it is out of order. */
  add(sequence: number): boolean {
    if (this.length === 0 || sequence > this.tails.get(this.length - 1)) {
      this.tails.set(this.length++, sequence);
      return false;
    }
    let low = 0;
    let high = this.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.tails.get(mid) < sequence) low = mid + 1;
      else high = mid;
    }
    this.tails.set(low, sequence);
    return true;
  }

  get byteLength(): number {
    return this.tails.byteLength;
  }
}

/** 32-bit FNV-1a of a message's position (partition and offset or message id); never 0 (0 = unknown). */
export function positionFingerprint(partition: number, position: string): number {
  let hash = 0x811c9dc5 ^ (partition & 0xffff);
  for (let i = 0; i < position.length; i++) {
    hash ^= position.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0 || 1;
}

/** What a delivery of a message is, judged by where it was read in the log. */
export type DeliveryKind = 'first' | 'copy' | 'redelivery' | 'unknown';

/**
 * Where each message was read in the log, as position fingerprints: the first position of every message in a
 * Uint32 per message, and further positions in a small side map, only for messages read at more than one
 * position (copies written by retries: few). So a redelivery of any copy — the second as well as the first — is a
 * redelivery, and only a position never read before is another copy.
 */
export class MessagePositions {
  private readonly first = new Map<number, GrowableUint32Array>();
  /** messageKey → fingerprints of the positions after the first, for messages read at several. */
  private readonly further = new Map<number, number[]>();

  /**
   * Notes a delivery read at `fingerprint` (0: position unknown); `again` says the message was delivered
   * before. Returns 'first' for a first delivery, else whether it is another copy, a redelivery, or unknown.
   */
  note(producer: number, sequence: number, fingerprint: number, again: boolean): DeliveryKind {
    let first = this.first.get(producer);
    if (!again) {
      if (fingerprint !== 0) {
        if (!first) this.first.set(producer, (first = new GrowableUint32Array()));
        first.set(sequence, fingerprint);
      }
      return 'first';
    }
    const firstFingerprint = first?.get(sequence) ?? 0;
    if (firstFingerprint === 0 || fingerprint === 0) return 'unknown';
    if (firstFingerprint === fingerprint) return 'redelivery';
    const key = messageKey(producer, sequence);
    const further = this.further.get(key);
    if (further?.includes(fingerprint)) return 'redelivery';
    if (further) further.push(fingerprint);
    else this.further.set(key, [fingerprint]);
    return 'copy';
  }

  get byteLength(): number {
    let bytes = 0;
    for (const positions of this.first.values()) bytes += positions.byteLength;
    // A Map entry and a small array: about 80 bytes, plus 8 per further position.
    for (const further of this.further.values()) bytes += 80 + 8 * further.length;
    return bytes;
  }
}

export interface LedgerCounts {
  sent: number;
  acked: number;
  failed: number;
  /** Distinct messages delivered to the consumer group. */
  consumed: number;
  /** Extra copies in the log (delivered from a position not read before): written more than once by the producer. */
  duplicated: number;
  /** A copy delivered again (a position already read): a consumer redelivery. */
  redelivered: number;
  /** Deliveries of a message seen before whose positions the driver did not give: copy or redelivery, unknown. */
  duplicatesUnclassified: number;
  /** Acknowledged and not (yet) delivered to the consumer group. */
  ackedNotConsumed: number;
  /** Consumed although the producer never saw an ack (e.g. a timed-out send that did land). */
  consumedUnacked: number;
  /** Acknowledged, not delivered to the group, but found in the log by the final read. */
  foundByFinalRead: number;
  /** Displaced first deliveries per producer and partition (first deliveries − longest in-order run). */
  reordered: number;
  /** First deliveries whose partition the driver could not tell (their order cannot be judged). */
  unplaced: number;
}

export class MessageLedger {
  private readonly acked: GrowableBitSet[] = [];
  private readonly consumed: GrowableBitSet[] = [];
  private readonly foundInLog: GrowableBitSet[] = [];
  private readonly positions = new MessagePositions();
  /** Per producer: partition → in-order run of first deliveries from it. */
  private readonly runs: Array<Map<number, InOrderRun>> = [];
  readonly counts: LedgerCounts = {
    sent: 0,
    acked: 0,
    failed: 0,
    consumed: 0,
    duplicated: 0,
    redelivered: 0,
    duplicatesUnclassified: 0,
    ackedNotConsumed: 0,
    consumedUnacked: 0,
    foundByFinalRead: 0,
    reordered: 0,
    unplaced: 0,
  };

  constructor(producerCount: number) {
    for (let i = 0; i < producerCount; i++) {
      this.acked.push(new GrowableBitSet());
      this.consumed.push(new GrowableBitSet());
      this.foundInLog.push(new GrowableBitSet());
      this.runs.push(new Map());
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
   * A delivery to the consumer group. Returns false when this message had been delivered before. `partition`
   * (-1: unknown) lets the books judge order; `position` (the offset or message id, '' when unknown) tells a
   * second copy in the log from a redelivery of the same copy.
   */
  recordConsumed(producer: number, sequence: number, partition = -1, position = ''): boolean {
    const consumed = this.consumed[producer];
    if (!consumed) return false;
    const fingerprint = position === '' ? 0 : positionFingerprint(partition, position);
    const kind = this.positions.note(producer, sequence, fingerprint, consumed.set(sequence));
    if (kind !== 'first') {
      if (kind === 'unknown') this.counts.duplicatesUnclassified++;
      else if (kind === 'redelivery') this.counts.redelivered++;
      else this.counts.duplicated++;
      return false;
    }
    this.counts.consumed++;
    if (partition >= 0) {
      const runs = this.runs[producer]!;
      let run = runs.get(partition);
      if (!run) runs.set(partition, (run = new InOrderRun()));
      if (run.add(sequence)) this.counts.reordered++;
    } else {
      this.counts.unplaced++;
    }
    if (this.acked[producer]!.has(sequence)) {
      this.counts.ackedNotConsumed--;
      if (this.foundInLog[producer]!.has(sequence)) this.counts.foundByFinalRead--;
    } else {
      this.counts.consumedUnacked++;
    }
    return true;
  }

  /**
   * A message seen by the final read (a fresh reader, outside the group): an acknowledged message the group has
   * not delivered is in the log after all. It stays undelivered to the group (a later delivery still counts
   * once, as consumed), but is no longer lost.
   */
  recordFinalRead(producer: number, sequence: number): void {
    const consumed = this.consumed[producer];
    if (!consumed || consumed.has(sequence) || !this.acked[producer]!.has(sequence)) return;
    if (this.foundInLog[producer]!.set(sequence)) return;
    this.counts.foundByFinalRead++;
  }

  /** Acknowledged, never delivered to the group, and not found in the log. */
  get lost(): number {
    return this.counts.ackedNotConsumed - this.counts.foundByFinalRead;
  }

  /** Up to `limit` lost messages (acknowledged, never delivered, not in the log), as evidence. */
  missing(limit: number): Array<{ producer: number; sequence: number }> {
    const found: Array<{ producer: number; sequence: number }> = [];
    this.acked.forEach((acked, producer) => {
      const consumed = this.consumed[producer]!;
      const inLog = this.foundInLog[producer]!;
      for (let sequence = 0; sequence < acked.words32 * 32 && found.length < limit; sequence++) {
        if (acked.has(sequence) && !consumed.has(sequence) && !inLog.has(sequence)) found.push({ producer, sequence });
      }
    });
    return found;
  }

  isAcked(producer: number, sequence: number): boolean {
    return this.acked[producer]?.has(sequence) ?? false;
  }

  /** Whether the group has this message: delivered to it, or (acknowledged and) found in the log by the final read. */
  holds(producer: number, sequence: number): boolean {
    return (this.consumed[producer]?.has(sequence) ?? false) || (this.foundInLog[producer]?.has(sequence) ?? false);
  }

  isKnownProducer(producer: number): boolean {
    return producer < this.consumed.length;
  }

  get unacked(): number {
    return this.counts.sent - this.counts.acked;
  }

  get memoryBytes(): number {
    const bits = [...this.acked, ...this.consumed, ...this.foundInLog].reduce((sum, b) => sum + b.byteLength, 0);
    const positions = this.positions.byteLength;
    const runs = this.runs.reduce(
      (sum, byPartition) => sum + [...byPartition.values()].reduce((s, r) => s + r.byteLength, 0),
      0,
    );
    return bits + positions + runs;
  }
}
