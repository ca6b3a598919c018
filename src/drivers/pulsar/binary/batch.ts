/**
 * Pulsar's batch container: the payload of one entry holding several messages, each as
 * [4-byte SingleMessageMetadata size][SingleMessageMetadata][payload], the entry's MessageMetadata saying how many
 * (num_messages_in_batch). A lone message is sent without a container.
 */
import { SingleMessageMetadataType } from './protocol.js';

export interface BatchedMessage {
  key: Buffer | null;
  value: Buffer;
  sequenceId: number;
}

/** Encodes one message's share of a batch container: its size-prefixed SingleMessageMetadata and payload. */
export function encodeBatchedMessage(message: BatchedMessage): Buffer[] {
  const single: Record<string, unknown> = { payloadSize: message.value.length, sequenceId: message.sequenceId };
  if (message.key) single.partitionKey = message.key.toString();
  const metadata = SingleMessageMetadataType.encode(single).finish();
  const size = Buffer.allocUnsafe(4);
  size.writeUInt32BE(metadata.length, 0);
  return [size, Buffer.from(metadata.buffer, metadata.byteOffset, metadata.length), message.value];
}

export function encodeBatch(messages: readonly BatchedMessage[]): Buffer {
  return Buffer.concat(messages.flatMap(encodeBatchedMessage));
}

export interface UnbatchedMessage {
  value: Buffer;
  key?: string;
  /** Cleared from the batch by compaction: not to be delivered. */
  compactedOut: boolean;
}

/** The `count` messages of a batch container. Throws when the container is shorter than it says. */
export function decodeBatch(payload: Buffer, count: number): UnbatchedMessage[] {
  const messages: UnbatchedMessage[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 4 > payload.length) throw new RangeError(`batch ends before message ${i} of ${count}`);
    const size = payload.readUInt32BE(at);
    at += 4;
    if (at + size > payload.length) throw new RangeError(`batch message ${i}: metadata beyond the payload`);
    const single = SingleMessageMetadataType.decode(payload.subarray(at, at + size)) as unknown as {
      payloadSize: number;
      partitionKey?: string;
      compactedOut?: boolean;
    };
    at += size;
    if (at + single.payloadSize > payload.length) throw new RangeError(`batch message ${i}: payload beyond the entry`);
    messages.push({
      value: payload.subarray(at, at + single.payloadSize),
      ...(single.partitionKey ? { key: single.partitionKey } : {}),
      compactedOut: single.compactedOut === true,
    });
    at += single.payloadSize;
  }
  return messages;
}
