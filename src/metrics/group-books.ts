/**
 * The books of every consumer group of a run. Each group (one per consumer region; one without regions) keeps
 * its own MessageLedger — its consumed, lost, duplicated, redelivered, reordered —, all fed the same sends and
 * acks, and the one final read. The run's `lost` is judged over every group: an acknowledged message that some
 * group never got and that the final read did not find in the log is lost, and the groups that lack it are named.
 */
import { type LedgerCounts, MessageLedger } from './message-ledger.js';

/** What a producer records: MessageLedger's send side (one ledger, or every group's). */
export type SendBooks = Pick<MessageLedger, 'recordSent' | 'recordFailed' | 'recordAcked'>;

export interface GroupBook {
  /** The group's consumer region, or the implicit region without regions. */
  name: string;
  ledger: MessageLedger;
}

/** Messages missing from some group (not delivered to it, not found in the log), counted once each. */
export interface MissingMessages {
  /** Acknowledged and missing from some group. */
  lost: number;
  /** Sent (acknowledged or not) and missing from some group. */
  notDelivered: number;
  /** Up to the limit of the lost ones, with the groups that lack each. */
  lostSample: Array<{ producer: number; sequence: number; missingFrom: string[] }>;
}

const COUNT_KEYS: Array<keyof LedgerCounts> = [
  'consumed',
  'duplicated',
  'redelivered',
  'duplicatesUnclassified',
  'ackedNotConsumed',
  'consumedUnacked',
  'foundByFinalRead',
  'reordered',
  'unplaced',
];

export class GroupBooks implements SendBooks {
  readonly groups: GroupBook[];
  /** Every group's ledger: with no group (no consumers), one that keeps the sends alone. */
  private readonly ledgers: MessageLedger[];

  constructor(producerCount: number, names: string[]) {
    this.groups = names.map((name) => ({ name, ledger: new MessageLedger(producerCount) }));
    this.ledgers = this.groups.length > 0 ? this.groups.map((g) => g.ledger) : [new MessageLedger(producerCount)];
  }

  recordSent(count: number): void {
    for (const ledger of this.ledgers) ledger.recordSent(count);
  }

  recordFailed(count: number): void {
    for (const ledger of this.ledgers) ledger.recordFailed(count);
  }

  recordAcked(producer: number, sequence: number): void {
    for (const ledger of this.ledgers) ledger.recordAcked(producer, sequence);
  }

  /** A message the final read saw in the log: every group that lacks it holds it there. */
  recordFinalRead(producer: number, sequence: number): void {
    for (const g of this.groups) g.ledger.recordFinalRead(producer, sequence);
  }

  isKnownProducer(producer: number): boolean {
    return this.ledgers[0]!.isKnownProducer(producer);
  }

  /** The groups that have not been delivered every acknowledged message. */
  behind(): GroupBook[] {
    return this.groups.filter((g) => g.ledger.counts.ackedNotConsumed > 0);
  }

  /**
   * The run's counts: sent, acked and failed once; every delivery count summed over the groups (each group's
   * deliveries count, so `== 0` criteria judge every group). `lost` is not a sum: see missing().
   */
  get counts(): LedgerCounts {
    const total = { ...this.ledgers[0]!.counts };
    for (const g of this.groups.slice(1)) for (const key of COUNT_KEYS) total[key] += g.ledger.counts[key];
    return total;
  }

  /**
   * Messages some group lacks, each counted once. `sentUpTo(p)`: how many sequence numbers producer p handed to
   * its client (sequences are 0, 1, … per producer). Scans the books only when some group lacks anything.
   */
  missing(sentUpTo: (producer: number) => number, producerCount: number, sampleLimit = 100): MissingMessages {
    const found: MissingMessages = { lost: 0, notDelivered: 0, lostSample: [] };
    const lacking = this.groups.filter((g) => {
      const c = g.ledger.counts;
      return c.sent - c.consumed - c.foundByFinalRead > 0;
    });
    if (lacking.length === 0) return found;
    if (this.groups.length === 1) {
      // One group: its own books are the run's; no scan.
      const { name, ledger } = this.groups[0]!;
      const c = ledger.counts;
      return {
        lost: ledger.lost,
        notDelivered: c.sent - c.consumed - c.foundByFinalRead,
        lostSample: ledger.lost > 0 ? ledger.missing(sampleLimit).map((m) => ({ ...m, missingFrom: [name] })) : [],
      };
    }
    const acks = this.ledgers[0]!;
    for (let producer = 0; producer < producerCount; producer++) {
      const end = sentUpTo(producer);
      for (let sequence = 0; sequence < end; sequence++) {
        let missing = false;
        for (const g of lacking) {
          if (!g.ledger.holds(producer, sequence)) {
            missing = true;
            break;
          }
        }
        if (!missing) continue;
        found.notDelivered++;
        if (!acks.isAcked(producer, sequence)) continue;
        found.lost++;
        if (found.lostSample.length < sampleLimit) {
          const missingFrom = lacking.filter((g) => !g.ledger.holds(producer, sequence)).map((g) => g.name);
          found.lostSample.push({ producer, sequence, missingFrom });
        }
      }
    }
    return found;
  }
}
