/**
 * Pulsar's binary protocol: the protobuf messages of PulsarApi.proto (proto/PulsarApi.proto, loaded with protobufjs
 * at start-up: reflection, no generated code to keep in step) and the framing around them (see
 * pulsar.apache.org/docs/developing-binary-protocol):
 * - a simple command: [total size][command size][BaseCommand], sizes as 4-byte big-endian integers;
 * - a payload command (SEND, MESSAGE): the same, then magic 0x0e01, a CRC32C of what follows, [metadata size]
 *   [MessageMetadata][payload]. A MESSAGE may start its payload part with magic 0x0e02, [size][BrokerEntryMetadata]
 *   (PIP-70: what the broker added to the entry when it appended it, e.g. its wall-clock time), when the broker
 *   stores one and exposes it, and the client announced it reads it (CONNECT's supports_broker_entry_metadata).
 */
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { packageRoot } from '../../../package-root.js';
import { crc32c } from './crc32c.js';

export const root = protobuf.loadSync(join(packageRoot, 'proto', 'PulsarApi.proto'));

export const BaseCommandType = root.lookupType('pulsar.proto.BaseCommand');
export const MessageMetadataType = root.lookupType('pulsar.proto.MessageMetadata');
export const SingleMessageMetadataType = root.lookupType('pulsar.proto.SingleMessageMetadata');
export const BrokerEntryMetadataType = root.lookupType('pulsar.proto.BrokerEntryMetadata');

/** The highest protocol version PulsarApi.proto names (v21), which faultline's client announces. */
export const PROTOCOL_VERSION = 21;
export const CLIENT_VERSION = 'faultline-binary';
/** The largest frame a broker sends by default (5 MiB messages plus headroom). */
export const MAX_FRAME_BYTES = 5 * 1024 * 1024 + 64 * 1024;

export const MAGIC_CRC32C = 0x0e01;
export const MAGIC_BROKER_ENTRY_METADATA = 0x0e02;

/** BaseCommand.Type values faultline uses. */
export const Cmd = {
  CONNECT: 2,
  CONNECTED: 3,
  SUBSCRIBE: 4,
  PRODUCER: 5,
  SEND: 6,
  SEND_RECEIPT: 7,
  SEND_ERROR: 8,
  MESSAGE: 9,
  ACK: 10,
  FLOW: 11,
  UNSUBSCRIBE: 12,
  SUCCESS: 13,
  ERROR: 14,
  CLOSE_PRODUCER: 15,
  CLOSE_CONSUMER: 16,
  PRODUCER_SUCCESS: 17,
  PING: 18,
  PONG: 19,
  REDELIVER_UNACKNOWLEDGED_MESSAGES: 20,
  PARTITIONED_METADATA: 21,
  PARTITIONED_METADATA_RESPONSE: 22,
  LOOKUP: 23,
  LOOKUP_RESPONSE: 24,
  REACHED_END_OF_TOPIC: 27,
  GET_LAST_MESSAGE_ID: 29,
  GET_LAST_MESSAGE_ID_RESPONSE: 30,
  ACTIVE_CONSUMER_CHANGE: 31,
  ACK_RESPONSE: 38,
  TOPIC_MIGRATED: 68,
} as const;

/**
 * The broker's wall-clock time (ms since the epoch) when it appended the entry, from its BrokerEntryMetadata;
 * undefined when the frame has none or it carries no broker_timestamp (the broker runs no
 * AppendBrokerTimestampMetadataInterceptor), or it cannot be read.
 */
export function brokerTimestampOf(frame: Frame): number | undefined {
  if (!frame.brokerEntryMetadata) return undefined;
  try {
    const decoded = BrokerEntryMetadataType.decode(frame.brokerEntryMetadata) as unknown as {
      brokerTimestamp?: Int64;
    };
    if (!Object.hasOwn(decoded, 'brokerTimestamp')) return undefined;
    const ms = toNumber(decoded.brokerTimestamp);
    return ms > 0 ? ms : undefined;
  } catch {
    return undefined;
  }
}

/** A uint64/int64 field as protobufjs decodes it: a number, or a Long when the `long` package is present. */
export type Int64 = number | { toNumber(): number };

export function toNumber(value: Int64 | undefined | null): number {
  if (value === undefined || value === null) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

export interface MessageIdData {
  ledgerId: Int64;
  entryId: Int64;
  partition?: number;
  batchIndex?: number;
  batchSize?: number;
}

/** The decoded fields of a BaseCommand (camelCase, as protobufjs names them); only what faultline reads. */
export interface BaseCommand {
  type: number;
  // biome-ignore lint/suspicious/noExplicitAny: the command bodies are read field by field where they are handled
  [command: string]: any;
}

/** A frame as read off the socket: the command, and for a payload command its metadata and payload. */
export interface Frame {
  command: BaseCommand;
  /** The MessageMetadata bytes and the payload (MESSAGE); undefined for a simple command. */
  metadata?: Buffer;
  payload?: Buffer;
  /** The BrokerEntryMetadata bytes the broker put before the message (MESSAGE), when it did. */
  brokerEntryMetadata?: Buffer;
  /** False when the frame carried a checksum that does not match its metadata and payload. */
  checksumOk: boolean;
}

/** A simple command's frame. */
export function encodeCommand(command: BaseCommand): Buffer {
  const body = BaseCommandType.encode(command as unknown as protobuf.Message).finish();
  const frame = Buffer.allocUnsafe(8 + body.length);
  frame.writeUInt32BE(4 + body.length, 0);
  frame.writeUInt32BE(body.length, 4);
  frame.set(body, 8);
  return frame;
}

/** A payload command's frame: the command, magic, CRC32C, metadata size, metadata (already encoded) and payload. */
export function encodePayloadCommand(command: BaseCommand, metadata: Uint8Array, payload: Uint8Array): Buffer {
  const body = BaseCommandType.encode(command as unknown as protobuf.Message).finish();
  const headerEnd = 8 + body.length;
  const checksummedStart = headerEnd + 6;
  const total = checksummedStart + 4 + metadata.length + payload.length;
  const frame = Buffer.allocUnsafe(total);
  frame.writeUInt32BE(total - 4, 0);
  frame.writeUInt32BE(body.length, 4);
  frame.set(body, 8);
  frame.writeUInt16BE(MAGIC_CRC32C, headerEnd);
  frame.writeUInt32BE(metadata.length, checksummedStart);
  frame.set(metadata, checksummedStart + 4);
  frame.set(payload, checksummedStart + 4 + metadata.length);
  frame.writeUInt32BE(crc32c(frame, 0, checksummedStart, total), headerEnd + 2);
  return frame;
}

/** One frame's bytes (without its 4-byte total size) → the frame. Throws on a malformed frame. */
export function decodeFrame(bytes: Buffer): Frame {
  const commandSize = bytes.readUInt32BE(0);
  if (commandSize + 4 > bytes.length) throw new RangeError(`command size ${commandSize} beyond the frame`);
  const command = BaseCommandType.decode(bytes.subarray(4, 4 + commandSize)) as unknown as BaseCommand;
  let at = 4 + commandSize;
  if (at === bytes.length) return { command, checksumOk: true };
  let checksumOk = true;
  let brokerEntryMetadata: Buffer | undefined;
  if (bytes.readUInt16BE(at) === MAGIC_BROKER_ENTRY_METADATA) {
    const size = bytes.readUInt32BE(at + 2);
    if (at + 6 + size > bytes.length) throw new RangeError(`broker entry metadata size ${size} beyond the frame`);
    brokerEntryMetadata = bytes.subarray(at + 6, at + 6 + size);
    at += 6 + size;
  }
  if (bytes.readUInt16BE(at) === MAGIC_CRC32C) {
    const expected = bytes.readUInt32BE(at + 2);
    at += 6;
    checksumOk = crc32c(bytes, 0, at, bytes.length) === expected;
  }
  const metadataSize = bytes.readUInt32BE(at);
  at += 4;
  if (at + metadataSize > bytes.length) throw new RangeError(`metadata size ${metadataSize} beyond the frame`);
  return {
    command,
    metadata: bytes.subarray(at, at + metadataSize),
    payload: bytes.subarray(at + metadataSize),
    ...(brokerEntryMetadata ? { brokerEntryMetadata } : {}),
    checksumOk,
  };
}

/**
 * Cuts a byte stream into frames: hand it each chunk the socket reads; it calls `onFrame` for every complete
 * frame and keeps the rest for the next chunk.
 */
export class FrameReader {
  private pending: Buffer | undefined;

  constructor(public onFrame: (frame: Buffer) => void) {}

  push(chunk: Buffer): void {
    let data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let at = 0;
    while (data.length - at >= 4) {
      const size = data.readUInt32BE(at);
      if (size > MAX_FRAME_BYTES) throw new RangeError(`frame of ${size} bytes exceeds ${MAX_FRAME_BYTES}`);
      if (data.length - at - 4 < size) break;
      this.onFrame(data.subarray(at + 4, at + 4 + size));
      at += 4 + size;
    }
    if (at < data.length) {
      data = data.subarray(at);
      // Copy a small remainder so the large chunk it came from can be freed.
      this.pending = data.length < 4096 ? Buffer.from(data) : data;
    }
  }
}
