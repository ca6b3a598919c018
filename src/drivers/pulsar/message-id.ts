/**
 * Pulsar message ids as the WebSocket API hands them over: base64 of the MessageIdData protobuf (ledgerId = 1,
 * entryId = 2, partition = 3, batch_index = 4, ack_set = 5, batch_size = 6, …). A minimal protobuf walk rather
 * than a protobuf dependency.
 */
export interface MessagePosition {
  ledgerId: bigint;
  entryId: bigint;
  /** -1: not partitioned (or not told). */
  partition: number;
  /** -1: not part of a batch. */
  batchIndex: number;
  /** Messages in the entry's batch; 0 when not batched (or not told). */
  batchSize: number;
}

enum Field {
  ledgerId = 1,
  entryId = 2,
  partition = 3,
  batchIndex = 4,
  batchSize = 6,
}

/** The fields of a message id, or undefined when it is not a readable MessageIdData. */
export function decodeMessageId(base64: string): MessagePosition | undefined {
  const bytes = Buffer.from(base64, 'base64');
  let at = 0;
  const varint = (): bigint => {
    let value = 0n;
    for (let shift = 0n; at < bytes.length; shift += 7n) {
      const byte = bytes[at++]!;
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw new RangeError('truncated varint');
  };
  const id: Partial<MessagePosition> = {};
  const int32 = (value: bigint) => Number(BigInt.asIntN(32, value));
  try {
    while (at < bytes.length) {
      const tag = Number(varint());
      const field = tag >>> 3;
      switch (tag & 7) {
        case 0: {
          const value = varint();
          if (field === Field.ledgerId) id.ledgerId = BigInt.asUintN(64, value);
          else if (field === Field.entryId) id.entryId = BigInt.asUintN(64, value);
          else if (field === Field.partition) id.partition = int32(value);
          else if (field === Field.batchIndex) id.batchIndex = int32(value);
          else if (field === Field.batchSize) id.batchSize = int32(value);
          break;
        }
        case 1:
          at += 8;
          break;
        case 2:
          at += Number(varint());
          break;
        case 5:
          at += 4;
          break;
        default:
          return undefined;
      }
    }
  } catch {
    return undefined;
  }
  if (at > bytes.length || id.ledgerId === undefined || id.entryId === undefined) return undefined;
  return {
    ledgerId: id.ledgerId,
    entryId: id.entryId,
    partition: id.partition ?? -1,
    batchIndex: id.batchIndex ?? -1,
    batchSize: id.batchSize ?? 0,
  };
}

/** The partition a message came from: -1 when not partitioned, or the id is unreadable. */
export function partitionOfMessageId(base64: string): number {
  return decodeMessageId(base64)?.partition ?? -1;
}

/** The partition of a topic name like persistent://public/default/t-partition-2 (-1 if it names none). */
export function partitionOfTopicName(topic: string): number {
  const match = /-partition-(\d+)$/.exec(topic);
  return match ? Number(match[1]) : -1;
}
