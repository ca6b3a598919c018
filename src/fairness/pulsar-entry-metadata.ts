/**
 * What the broker entry metadata faultline sets on its Pulsar brokers (standalone-config.ts) adds to a side, for
 * result.json's `cluster.effective` (pure). With AppendBrokerTimestampMetadataInterceptor the broker writes before
 * every entry a 2-byte magic (0x0e02), a 4-byte size and a BrokerEntryMetadata protobuf holding only
 * broker_timestamp (field 1: a 1-byte tag and a varint of wall-clock ms, 6 bytes for any time from 1971 to 2109):
 * 13 bytes per entry — one batch, or one message sent alone — stored on the bookie and, with
 * exposingBrokerEntryMetadataToClientEnabled, sent with the entry to every consumer.
 */
import { BROKER_TIMESTAMP_INTERCEPTOR } from '../cluster/pulsar/standalone-config.js';
import type { EffectiveKnob } from './knobs.js';

/** Magic (2) + size (4) + broker_timestamp's tag (1) and varint (6). */
export const ENTRY_TIMESTAMP_BYTES = 2 + 4 + 1 + 6;

/**
 * The `broker.entryMetadata` entry of a Pulsar side: `settings` as the broker ran them (with where each came from),
 * `setting(key)` a broker setting's plain value.
 */
export function entryMetadata(settings: Record<string, string>, setting: (key: string) => string): EffectiveKnob {
  const interceptors = setting('brokerEntryMetadataInterceptors')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const exposed = setting('exposingBrokerEntryMetadataToClientEnabled') === 'true';
  if (interceptors.length === 0)
    return {
      value: 0,
      pinned: false,
      settings,
      note: "no interceptor: entries carry no broker metadata (the binary driver then cannot measure geo-replication lag: it counts from the source broker's append time)",
    };
  if (interceptors.length > 1 || interceptors[0] !== BROKER_TIMESTAMP_INTERCEPTOR)
    return {
      value: null,
      pinned: false,
      settings,
      note: 'interceptors other than the broker timestamp alone: the bytes they add per entry are not computed here',
    };
  return {
    value: ENTRY_TIMESTAMP_BYTES,
    pinned: false,
    settings,
    note: `each entry (a batch, or a message sent alone) carries the broker's append time: ${ENTRY_TIMESTAMP_BYTES} bytes more on the bookie${exposed ? ' and to every consumer' : ''}; the binary driver counts geo-replication lag from it`,
  };
}
