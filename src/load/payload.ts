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
 *
 * The filler is random, and no two messages carry the same filler: each takes a slice of one 16 MiB pool of random
 * bytes, at an offset hashed from its producer and sequence. One template for every message would make a batch of
 * them compress to almost nothing (gzip's 32 KiB window, lz4's 64 KiB, zstd's megabytes would each find the
 * previous message), so compression figures and a broker's recompression cost would depend on how many messages a
 * batch holds rather than on the data.
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

/** Random bytes the filler is cut from (made once, on the first encode): far larger than any compression window. */
const FILLER_POOL_BYTES = 16 * 1024 * 1024;
let fillerPool: Buffer | undefined;

function pool(fillerBytes: number): Buffer {
  if (!fillerPool || fillerPool.length < 2 * fillerBytes)
    fillerPool = randomBytes(Math.max(FILLER_POOL_BYTES, 2 * fillerBytes));
  return fillerPool;
}

/** Where a message's filler starts in the pool: a hash of its producer and sequence (murmur3's finaliser). */
export function fillerOffset(producer: number, sequence: number, span: number): number {
  let h = Math.imul(producer ^ 0x9e3779b9, 0x85ebca6b) ^ sequence;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % span;
}

export class PayloadCodec {
  private readonly runId8: Buffer;
  /** The run id's two 32-bit halves, compared as numbers. */
  private readonly runIdHigh: number;
  private readonly runIdLow: number;

  constructor(
    readonly runId: Buffer,
    readonly messageSize: number,
  ) {
    if (runId.length !== 8) throw new Error('run id must be 8 bytes');
    if (messageSize < PAYLOAD_HEADER_BYTES) throw new Error(`messages must be at least ${PAYLOAD_HEADER_BYTES} bytes`);
    this.runId8 = Buffer.from(runId);
    this.runIdHigh = runId.readUInt32BE(0);
    this.runIdLow = runId.readUInt32BE(4);
  }

  static newRunId(): Buffer {
    return randomBytes(8);
  }

  encode(producer: number, sequence: number, intendedMs: number): Buffer {
    const buffer = Buffer.allocUnsafe(this.messageSize);
    const filler = this.messageSize - PAYLOAD_HEADER_BYTES;
    if (filler > 0) {
      const source = pool(filler);
      const start = fillerOffset(producer, sequence, source.length - filler + 1);
      source.copy(buffer, PAYLOAD_HEADER_BYTES, start, start + filler);
    }
    buffer.writeUInt32BE(MAGIC, 0);
    this.runId8.copy(buffer, 4);
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
