/**
 * The partition a Pulsar message came from, read from its message id as the WebSocket API hands it over: base64
 * of the MessageIdData protobuf (ledgerId = 1, entryId = 2, partition = 3, batch_index = 4, …). Only field 3 is
 * needed, so this is a minimal protobuf walk rather than a protobuf dependency. -1: not partitioned, or unreadable.
 */
const PARTITION_FIELD = 3;

export function partitionOfMessageId(base64: string): number {
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
  try {
    while (at < bytes.length) {
      const tag = Number(varint());
      const field = tag >>> 3;
      switch (tag & 7) {
        case 0: {
          const value = varint();
          if (field === PARTITION_FIELD) return Number(BigInt.asIntN(32, value));
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
          return -1;
      }
    }
  } catch {
    return -1;
  }
  return -1;
}

/** The partition of a topic name like persistent://public/default/t-partition-2 (-1 if it names none). */
export function partitionOfTopicName(topic: string): number {
  const match = /-partition-(\d+)$/.exec(topic);
  return match ? Number(match[1]) : -1;
}
