/** The binary Pulsar driver's pure parts: CRC32C, frames, batch containers (no broker). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeBatch, encodeBatch } from '../../src/drivers/pulsar/binary/batch.js';
import { keyHash } from '../../src/drivers/pulsar/binary/binary-producer.js';
import { crc32c } from '../../src/drivers/pulsar/binary/crc32c.js';
import {
  BrokerEntryMetadataType,
  brokerTimestampOf,
  Cmd,
  decodeFrame,
  encodeCommand,
  encodePayloadCommand,
  FrameReader,
  MessageMetadataType,
  toNumber,
} from '../../src/drivers/pulsar/binary/protocol.js';

test('CRC32C matches the known vectors (RFC 3720 B.4 and "123456789")', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  assert.equal(crc32c(Buffer.alloc(32, 0)), 0x8a9136aa);
  assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
  assert.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i))), 0x46dd794e);
  assert.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i))), 0x113fdb5c);
  assert.equal(crc32c(Buffer.alloc(0)), 0);
});

test('CRC32C continues over pieces and over a sub-range as over the whole', () => {
  const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 31 + 7) & 0xff));
  const whole = crc32c(bytes);
  for (const cut of [0, 1, 7, 8, 9, 500, 999, 1000]) {
    assert.equal(crc32c(bytes.subarray(cut), crc32c(bytes.subarray(0, cut))), whole, `cut at ${cut}`);
  }
  const framed = Buffer.concat([Buffer.from('xx'), bytes, Buffer.from('yyy')]);
  assert.equal(crc32c(framed, 0, 2, 1002), whole);
});

test('a simple command frames as [total][command size][BaseCommand] and decodes back', () => {
  const frame = encodeCommand({ type: Cmd.LOOKUP, lookupTopic: { topic: 'persistent://a/b/c', requestId: 7 } });
  assert.equal(frame.readUInt32BE(0), frame.length - 4);
  assert.equal(frame.readUInt32BE(4), frame.length - 8);
  const decoded = decodeFrame(frame.subarray(4));
  assert.equal(decoded.command.type, Cmd.LOOKUP);
  assert.equal(decoded.command.lookupTopic.topic, 'persistent://a/b/c');
  assert.equal(toNumber(decoded.command.lookupTopic.requestId), 7);
  assert.equal(decoded.payload, undefined);
});

test('a payload command carries magic 0x0e01 and a CRC32C of metadata size, metadata and payload', () => {
  const metadata = MessageMetadataType.encode({
    producerName: 'p',
    sequenceId: 3,
    publishTime: 1_700_000_000_000,
  }).finish();
  const payload = Buffer.from('hello');
  const frame = encodePayloadCommand(
    { type: Cmd.SEND, send: { producerId: 1, sequenceId: 3, numMessages: 1 } },
    metadata,
    payload,
  );
  const commandSize = frame.readUInt32BE(4);
  const magicAt = 8 + commandSize;
  assert.equal(frame.readUInt16BE(magicAt), 0x0e01);
  assert.equal(frame.readUInt32BE(magicAt + 2), crc32c(frame.subarray(magicAt + 6)));
  assert.equal(frame.readUInt32BE(magicAt + 6), metadata.length);
  const decoded = decodeFrame(frame.subarray(4));
  assert.equal(decoded.checksumOk, true);
  assert.equal(decoded.payload?.toString(), 'hello');
  const m = MessageMetadataType.decode(decoded.metadata!) as unknown as { producerName: string; sequenceId: number };
  assert.equal(m.producerName, 'p');
  assert.equal(toNumber(m.sequenceId), 3);
  // One flipped payload bit: the checksum no longer matches.
  frame[frame.length - 1]! ^= 1;
  assert.equal(decodeFrame(frame.subarray(4)).checksumOk, false);
});

test("a MESSAGE with broker entry metadata (magic 0x0e02 before the checksum) gives the broker's append time; one without gives none", () => {
  const metadata = MessageMetadataType.encode({ producerName: 'p', sequenceId: 0, publishTime: 1 }).finish();
  const plain = encodePayloadCommand(
    { type: Cmd.MESSAGE, message: { consumerId: 1, messageId: { ledgerId: 5, entryId: 6 } } },
    metadata,
    Buffer.from('hi'),
  );
  assert.equal(brokerTimestampOf(decodeFrame(plain.subarray(4))), undefined);
  const entry = BrokerEntryMetadataType.encode({ brokerTimestamp: 1_780_000_000_123, index: 9 }).finish();
  const magicAt = 8 + plain.readUInt32BE(4);
  const head = Buffer.alloc(6);
  head.writeUInt16BE(0x0e02, 0);
  head.writeUInt32BE(entry.length, 2);
  const frame = Buffer.concat([plain.subarray(0, magicAt), head, entry, plain.subarray(magicAt)]);
  frame.writeUInt32BE(frame.length - 4, 0);
  const decoded = decodeFrame(frame.subarray(4));
  assert.equal(decoded.checksumOk, true, 'the checksum covers what follows it, not the broker entry metadata');
  assert.equal(decoded.payload?.toString(), 'hi');
  assert.equal(brokerTimestampOf(decoded), 1_780_000_000_123);
  // Entry metadata with an index only (AppendIndexMetadataInterceptor): no append time.
  const indexOnly = BrokerEntryMetadataType.encode({ index: 9 }).finish();
  assert.equal(brokerTimestampOf({ ...decoded, brokerEntryMetadata: Buffer.from(indexOnly) }), undefined);
});

test('the frame reader cuts a stream into frames whatever the chunking', () => {
  const frames = [1, 2, 3].map((i) =>
    encodePayloadCommand(
      { type: Cmd.SEND, send: { producerId: 1, sequenceId: i } },
      MessageMetadataType.encode({ producerName: 'p', sequenceId: i, publishTime: 1 }).finish(),
      Buffer.alloc(100 * i, i),
    ),
  );
  const stream = Buffer.concat(frames);
  for (const chunk of [1, 3, 4, 5, 64, 1000, stream.length]) {
    const seen: number[] = [];
    const reader = new FrameReader((bytes) => seen.push(toNumber(decodeFrame(bytes).command.send.sequenceId)));
    for (let at = 0; at < stream.length; at += chunk) reader.push(stream.subarray(at, at + chunk));
    assert.deepEqual(seen, [1, 2, 3], `chunks of ${chunk}`);
  }
});

test('a batch container round-trips its messages, keys and empty values', () => {
  const messages = [
    { key: Buffer.from('k1'), value: Buffer.from('first'), sequenceId: 10 },
    { key: null, value: Buffer.alloc(0), sequenceId: 11 },
    { key: null, value: Buffer.alloc(1024, 7), sequenceId: 12 },
  ];
  const decoded = decodeBatch(encodeBatch(messages), 3);
  assert.equal(decoded.length, 3);
  assert.equal(decoded[0]!.value.toString(), 'first');
  assert.equal(decoded[0]!.key, 'k1');
  assert.equal(decoded[1]!.value.length, 0);
  assert.deepEqual(decoded[2]!.value, Buffer.alloc(1024, 7));
  assert.throws(() => decodeBatch(encodeBatch(messages), 4), /batch ends before message 3/);
  assert.throws(() => decodeBatch(encodeBatch(messages).subarray(0, 20), 3), RangeError);
});

test('keyed messages hash to a stable partition', () => {
  assert.equal(keyHash(Buffer.from('a')), keyHash(Buffer.from('a')));
  assert.notEqual(keyHash(Buffer.from('a')), keyHash(Buffer.from('b')));
});
