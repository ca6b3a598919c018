/**
 * The books of one replication (source cluster → target cluster), kept in the harness process on one monotonic
 * clock: per message (producer id + sequence number, from the payload), when the source acknowledged it, when the
 * source cluster appended it (a broker-set time carried with the replicated record, converted to this clock by the
 * caller) and when the reader on the target first saw it. Replication lag = first seen on the target − appended on
 * the source: the replication's own delay, wherever the producer sits (an ack reaches a producer in another
 * region one crossing later, so lag from the ack would be short by that crossing).
 *
 * - replicated = acknowledged on the source and seen on the target;
 * - duplicated = extra copies written to the target: the message read again at a position (partition and offset
 *   or message id) it had not been read at before (MirrorMaker 2 at-least-once writes some twice);
 * - redelivered = a copy read again at a position already read (the target reader's doing, not the replicator's);
 * - duplicatesUnclassified = read again where the reader gave no position: copy or redelivery, unknown;
 * - notReplicated = acknowledged on the source and not (yet) seen on the target;
 * - foundByFinalRead = of replicated, found on the target by the final read that follows an unfinished wait, not
 *   by the reader in time (so "not replicated" is what the target does not hold, not what the reader missed);
 * - seenUnacked = seen on the target although the source never acknowledged it (a send that timed out but landed).
 * A lag below 0 (seen before it was appended) cannot happen on comparable clocks: it is a defect of the clocks
 * or of the timestamp's meaning, counted in `lagNegative` (and the worst in `lagNegativeMinMs`), never recorded
 * in the histogram nor clamped. A replicated message without a source append time is counted in `lagUnmeasured`.
 * The append time comes with the replicated record (onSeen) or, where the record does not keep it (Pulsar's
 * replicator drops the source's broker entry metadata), from a reader on the source (onAppended), before or after
 * the target saw the message: a lag waits for it, and one still waiting is unmeasured.
 * End-to-end on the target = seen by the reader on the target − intended send time (the load's clock, as the
 * workload's own end-to-end latency): what a consumer in the target region would see of a replicated message.
 * Messages intended before the end of the warm-up count in every figure but the lag and end-to-end histograms,
 * the lag's defect counts and the timeline.
 */
import { LatencyHistogram, type LatencySummary } from './latency-histogram.js';
import { round } from '../scenario/units.js';
import { MessagePositions } from './message-ledger.js';
import { messageKey } from '../load/payload.js';

export interface ReplicationTimelinePoint {
  /** Second since load start: [t, t+1), by the time the target saw the message. */
  t: number;
  replicated: number;
  lagP50: number | null;
  lagP99: number | null;
}

/**
 * What the target lacked at time T (a failover at T would have lost it for the time being): messages acknowledged
 * on the source by T that the target had not seen by T. Of these, `inFlight` arrived while the fault was still on
 * (already on their way at T: sent by the source before it went away), `late` arrived once the fault healed (at
 * `healedMs`; without a heal, everything that arrived after T is in flight), `lost` never did (by the end of the
 * run's wait): messages = inFlight + late + lost. `ms` is the age at T of the oldest missing one (T − its intended
 * send time), 0 when none.
 */
export interface ReplicationGap {
  atMs: number;
  messages: number;
  inFlight: number;
  late: number;
  lost: number;
  ms: number;
}

/** One replication's message counts (the definitions at the top of this file). */
export interface ReplicationCounts {
  acked: number;
  replicated: number;
  /** Extra copies written to the target (read at a position not read before). */
  duplicated: number;
  /** Copies the target's reader got again at a position already read: the reader's redeliveries, not copies. */
  redelivered: number;
  /** Read again where the reader gave no position: copy or redelivery, unknown. */
  duplicatesUnclassified: number;
  notReplicated: number;
  /** Of replicated: found on the target by the final read after the wait, not by the reader in time. */
  foundByFinalRead: number;
  seenUnacked: number;
}

export interface ReplicationFigures {
  from: string;
  to: string;
  /** Source topic → target topic. */
  topics: Array<{ source: string; target: string }>;
  /** First seen on the target − appended on the source, per replicated message (warm-up excluded). */
  lag: LatencySummary | null;
  /** Replicated messages (after the warm-up) whose lag came out below 0: a clock defect, kept out of `lag`. */
  lagNegative: number;
  /** The most negative of those (ms), null when none. */
  lagNegativeMinMs: number | null;
  /** Replicated messages (after the warm-up) the target reader gave no source append time for: no lag. */
  lagUnmeasured: number;
  /** Intended send time → first seen by the reader on the target, per replicated message (warm-up excluded). */
  endToEnd: LatencySummary | null;
  /** Replicated messages per second, from the first to the last replicated message. */
  throughput: { messagesPerSec: number } | null;
  messages: ReplicationCounts;
  /** Replicator start → first probe record seen on the target (ms), when measured. */
  firstRecordMs: number | null;
  timeline: ReplicationTimelinePoint[];
  /** The lag histogram, HdrHistogram compressed base64, for merging. */
  lagHistogram: string | null;
}

class ProducerBooks {
  /**
   * Ack time + 1 (0 = not acknowledged), first-seen time + 1 (0 = not seen), and the source's append time as the
   * first seen copy carried it (NaN = none); monotonic ms, by sequence.
   */
  acked = new Float64Array(64);
  seen = new Float64Array(64);
  intended = new Float64Array(64);
  appended = new Float64Array(64).fill(Number.NaN);

  ensure(sequence: number): void {
    if (sequence < this.acked.length) return;
    let length = this.acked.length;
    while (length <= sequence) length *= 2;
    for (const field of ['acked', 'seen', 'intended', 'appended'] as const) {
      const grown = new Float64Array(length);
      if (field === 'appended') grown.fill(Number.NaN, this[field].length);
      grown.set(this[field]);
      this[field] = grown;
    }
  }
}

export class ReplicationTracker {
  private readonly books = new Map<number, ProducerBooks>();
  private readonly lag = new LatencyHistogram();
  private readonly endToEnd = new LatencyHistogram();
  private readonly perSecond = new Map<number, { replicated: number; lag: LatencyHistogram }>();
  private acked = 0;
  private replicated = 0;
  private duplicated = 0;
  private redelivered = 0;
  private duplicatesUnclassified = 0;
  private seenUnacked = 0;
  private foundByFinalRead = 0;
  private lagNegative = 0;
  private lagNegativeMinMs = Infinity;
  private lagUnmeasured = 0;
  /** Replicated (after the warm-up) before the source's append time came (onAppended): key → first seen ms. */
  private readonly lagAwaitingAppend = new Map<number, number>();
  private readonly positions = new MessagePositions();
  private firstSeenMs = Infinity;
  private lastSeenMs = -Infinity;
  firstRecordMs: number | null = null;

  constructor(
    readonly from: string,
    readonly to: string,
    readonly topics: Array<{ source: string; target: string }>,
    private readonly warmupMs: number,
    /** The source's append times come apart from the replicated records, from a reader on the source (onAppended). */
    private readonly appendTimesFromSource = false,
  ) {}

  private booksOf(producer: number, sequence: number): ProducerBooks {
    let books = this.books.get(producer);
    if (!books) this.books.set(producer, (books = new ProducerBooks()));
    books.ensure(sequence);
    return books;
  }

  onAcked(producer: number, sequence: number, intendedMs: number, ackMs: number): void {
    const books = this.booksOf(producer, sequence);
    if (books.acked[sequence]! !== 0) return;
    books.acked[sequence] = ackMs + 1;
    books.intended[sequence] = intendedMs;
    this.acked++;
    const seen = books.seen[sequence]!;
    if (seen !== 0) {
      // Seen on the target before the source's ack reached us: counted unacked until now.
      this.seenUnacked--;
      this.onReplicated(intendedMs, seen - 1, books.appended[sequence]!, producer, sequence);
    }
  }

  /**
   * The reader on the target read a copy of the message at `seenMs`. `fingerprint` is where it was read
   * (positionFingerprint of partition and offset or message id; 0 = unknown), `appendedMs` when the source
   * appended it, on this tracker's clock (null = the reader could not tell).
   */
  onSeen(producer: number, sequence: number, seenMs: number, fingerprint = 0, appendedMs: number | null = null): void {
    const books = this.booksOf(producer, sequence);
    const kind = this.positions.note(producer, sequence, fingerprint, books.seen[sequence]! !== 0);
    if (kind !== 'first') {
      if (kind === 'copy') this.duplicated++;
      else if (kind === 'redelivery') this.redelivered++;
      else this.duplicatesUnclassified++;
      return;
    }
    books.seen[sequence] = seenMs + 1;
    if (appendedMs !== null) books.appended[sequence] = appendedMs;
    const acked = books.acked[sequence]!;
    if (acked === 0) this.seenUnacked++;
    else this.onReplicated(books.intended[sequence]!, seenMs, books.appended[sequence]!, producer, sequence);
  }

  /**
   * A reader on the source read the message there, appended at `appendedMs` (this tracker's clock): its lag is
   * measured now if the target already saw it, else when the target does. The first append time told wins.
   */
  onAppended(producer: number, sequence: number, appendedMs: number): void {
    const books = this.booksOf(producer, sequence);
    if (!Number.isNaN(books.appended[sequence]!)) return;
    books.appended[sequence] = appendedMs;
    const key = messageKey(producer, sequence);
    const seenMs = this.lagAwaitingAppend.get(key);
    if (seenMs === undefined) return;
    this.lagAwaitingAppend.delete(key);
    this.recordLag(seenMs, appendedMs);
  }

  /**
   * A final read of the target, after the bounded wait for replication, found the message there at `atMs`: it is
   * replicated (not lost), but when it arrived is not known more exactly than "by the final read", so it adds
   * nothing to the lag, end-to-end or throughput figures. A message the reader had already seen is left as it was.
   */
  onFoundByFinalRead(producer: number, sequence: number, atMs: number): void {
    const books = this.booksOf(producer, sequence);
    if (books.seen[sequence]! !== 0) return;
    books.seen[sequence] = atMs + 1;
    books.appended[sequence] = Number.NaN;
    this.foundByFinalRead++;
    if (books.acked[sequence]! === 0) this.seenUnacked++;
    else this.replicated++;
  }

  private onReplicated(
    intendedMs: number,
    seenMs: number,
    appendedMs: number,
    producer: number,
    sequence: number,
  ): void {
    this.replicated++;
    this.firstSeenMs = Math.min(this.firstSeenMs, seenMs);
    this.lastSeenMs = Math.max(this.lastSeenMs, seenMs);
    if (intendedMs < this.warmupMs) return;
    this.endToEnd.recordMs(Math.max(0, seenMs - intendedMs));
    const second = Math.max(0, Math.floor(seenMs / 1000));
    let point = this.perSecond.get(second);
    if (!point) this.perSecond.set(second, (point = { replicated: 0, lag: new LatencyHistogram() }));
    point.replicated++;
    if (!Number.isNaN(appendedMs)) this.recordLag(seenMs, appendedMs);
    else if (this.appendTimesFromSource) this.lagAwaitingAppend.set(messageKey(producer, sequence), seenMs);
    else this.lagUnmeasured++;
  }

  /** A replicated message's lag (after the warm-up), in the histogram and its second of the timeline. */
  private recordLag(seenMs: number, appendedMs: number): void {
    const lagMs = seenMs - appendedMs;
    if (lagMs < 0) {
      this.lagNegative++;
      this.lagNegativeMinMs = Math.min(this.lagNegativeMinMs, lagMs);
      return;
    }
    this.lag.recordMs(lagMs);
    this.perSecond.get(Math.max(0, Math.floor(seenMs / 1000)))?.lag.recordMs(lagMs);
  }

  gapAt(atMs: number, healedMs: number | null = null): ReplicationGap {
    let messages = 0;
    let late = 0;
    let arrived = 0;
    let oldestIntended = Infinity;
    for (const books of this.books.values()) {
      for (let sequence = 0; sequence < books.acked.length; sequence++) {
        const acked = books.acked[sequence]!;
        if (acked === 0 || acked - 1 > atMs) continue;
        const seen = books.seen[sequence]!;
        if (seen !== 0 && seen - 1 <= atMs) continue;
        messages++;
        if (seen !== 0) {
          arrived++;
          if (healedMs !== null && seen - 1 >= healedMs) late++;
        }
        oldestIntended = Math.min(oldestIntended, books.intended[sequence]!);
      }
    }
    return {
      atMs: round(atMs, 1),
      messages,
      inFlight: arrived - late,
      late,
      lost: messages - arrived,
      ms: messages > 0 ? round(Math.max(0, atMs - oldestIntended), 1) : 0,
    };
  }

  /**
   * Every message in the books, one by one: [producer, sequence, intended ms, acknowledged ms or null, first seen
   * on the target ms or null, appended on the source ms or null] — for a test that checks the figures against its
   * own reading of the target.
   */
  *entries(): Generator<[number, number, number, number | null, number | null, number | null]> {
    for (const [producer, books] of this.books) {
      for (let sequence = 0; sequence < books.acked.length; sequence++) {
        const acked = books.acked[sequence]!;
        const seen = books.seen[sequence]!;
        if (acked === 0 && seen === 0) continue;
        yield [
          producer,
          sequence,
          books.intended[sequence]!,
          acked === 0 ? null : acked - 1,
          seen === 0 ? null : seen - 1,
          seen === 0 || Number.isNaN(books.appended[sequence]!) ? null : books.appended[sequence]!,
        ];
      }
    }
  }

  /** The end-to-end histogram on the target (for merging across flows; not copied). */
  get endToEndHistogram(): LatencyHistogram {
    return this.endToEnd;
  }

  get notReplicated(): number {
    return this.acked - this.replicated;
  }

  figures(): ReplicationFigures {
    const spanS = (this.lastSeenMs - this.firstSeenMs) / 1000;
    return {
      from: this.from,
      to: this.to,
      topics: this.topics,
      lag: this.lag.count > 0 ? this.lag.summary() : null,
      lagNegative: this.lagNegative,
      lagNegativeMinMs: this.lagNegative > 0 ? round(this.lagNegativeMinMs, 3) : null,
      lagUnmeasured: this.lagUnmeasured + this.lagAwaitingAppend.size,
      endToEnd: this.endToEnd.count > 0 ? this.endToEnd.summary() : null,
      throughput: this.replicated > 1 && spanS > 0 ? { messagesPerSec: round(this.replicated / spanS, 1) } : null,
      messages: {
        acked: this.acked,
        replicated: this.replicated,
        duplicated: this.duplicated,
        redelivered: this.redelivered,
        duplicatesUnclassified: this.duplicatesUnclassified,
        notReplicated: this.notReplicated,
        foundByFinalRead: this.foundByFinalRead,
        seenUnacked: this.seenUnacked,
      },
      firstRecordMs: this.firstRecordMs === null ? null : round(this.firstRecordMs, 1),
      timeline: [...this.perSecond.entries()]
        .sort(([a], [b]) => a - b)
        .map(([t, p]) => ({
          t,
          replicated: p.replicated,
          lagP50: p.lag.percentileMs(50),
          lagP99: p.lag.percentileMs(99),
        })),
      lagHistogram: this.lag.count > 0 ? this.lag.encode() : null,
    };
  }
}
