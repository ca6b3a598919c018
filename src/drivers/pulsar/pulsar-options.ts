/** Producer and consumer options for Pulsar clusters; both Pulsar drivers (native, websocket) take the same. */
import { z } from 'zod';
import { duration } from '../../scenario/unit-schemas.js';

export const pulsarProducerOptions = z
  .object({
    batchingEnabled: z.boolean().default(true),
    batchingMaxMessages: z.number().int().min(1).default(1000),
    batchingMaxPublishDelay: duration().default(1),
    maxPendingMessages: z.number().int().min(1).default(10_000),
    sendTimeout: duration().default(30_000),
    compressionType: z.enum(['NONE', 'LZ4', 'ZLIB', 'ZSTD', 'SNAPPY']).default('NONE'),
  })
  .strict();

export const pulsarConsumerOptions = z
  .object({
    subscriptionType: z.enum(['Exclusive', 'Shared', 'Failover', 'Key_Shared']).default('Shared'),
    receiverQueueSize: z.number().int().min(1).default(1000),
    ackTimeout: duration().optional(),
  })
  .strict();

/** Subscriptions that hand each partition to one consumer at a time, in order (Shared and Key_Shared do not). */
export function deliversInPartitionOrder(options: PulsarConsumerOptions): boolean {
  return options.subscriptionType === 'Exclusive' || options.subscriptionType === 'Failover';
}

export type PulsarProducerOptions = z.output<typeof pulsarProducerOptions>;
export type PulsarConsumerOptions = z.output<typeof pulsarConsumerOptions>;
