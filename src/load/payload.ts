/**
 * The payload every message carries, so consumers can do the books without any shared state:
 * magic, run id, producer id, sequence number and intended send time (monotonic ms since the load's origin),
 * then filler up to the message size.
 *
 *   0  u32  magic "FLT1"
 *   4  8B   run id
 *   12 u32  producer id
 *   16 u32  sequence number
 *   20 f64  intended send time (ms)
 */
import { randomBytes } from 'node:crypto';

export const PAYLOAD_HEADER_BYTES = 28;
const MAGIC = 0x464c5431;

export interface PayloadHeader {
  producer: number;
  sequence: number;
  intendedMs: number;
}

/** One number per message of a run: producer id × 2^32 + sequence (exact: ids stay far below 2^21). */
export function messageKey(producer: number, sequence: number): number {
  return producer * 2 ** 32 + sequence;
}

export class PayloadCodec {
  private readonly template: Buffer;
  /** The run id's two 32-bit halves, compared as numbers. */
  private readonly runIdHigh: number;
  private readonly runIdLow: number;

  constructor(
    readonly runId: Buffer,
    readonly messageSize: number,
  ) {
    if (runId.length !== 8) throw new Error('run id must be 8 bytes');
    if (messageSize < PAYLOAD_HEADER_BYTES) throw new Error(`messages must be at least ${PAYLOAD_HEADER_BYTES} bytes`);
    // Random filler: compression would otherwise make the broker's job unrealistically easy.
    this.template = randomBytes(messageSize);
    this.template.writeUInt32BE(MAGIC, 0);
    runId.copy(this.template, 4);
    this.runIdHigh = runId.readUInt32BE(0);
    this.runIdLow = runId.readUInt32BE(4);
  }

  static newRunId(): Buffer {
    return randomBytes(8);
  }

  encode(producer: number, sequence: number, intendedMs: number): Buffer {
    const buffer = Buffer.allocUnsafe(this.messageSize);
    this.template.copy(buffer);
    buffer.writeUInt32BE(producer, 12);
    buffer.writeUInt32BE(sequence, 16);
    buffer.writeDoubleBE(intendedMs, 20);
    return buffer;
  }

  /** Returns null for a message that is not from this run (other data on a shared topic). */
  decode(buffer: Buffer): PayloadHeader | null {
    const header = { producer: 0, sequence: 0, intendedMs: 0 };
    return this.decodeInto(buffer, header) ? header : null;
  }

  /**
   * decode() into a header the caller keeps (the consumer's hot path: nothing allocated per message). Returns false,
   * leaving `header` as it was, for a message that is not from this run.
   */
  decodeInto(buffer: Buffer, header: PayloadHeader): boolean {
    if (
      buffer.length < PAYLOAD_HEADER_BYTES ||
      buffer.readUInt32BE(0) !== MAGIC ||
      buffer.readUInt32BE(4) !== this.runIdHigh ||
      buffer.readUInt32BE(8) !== this.runIdLow
    ) {
      return false;
    }
    header.producer = buffer.readUInt32BE(12);
    header.sequence = buffer.readUInt32BE(16);
    header.intendedMs = buffer.readDoubleBE(20);
    return true;
  }
}
