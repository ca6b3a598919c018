/**
 * The producer and consumer options a scenario may give the platformatic driver (@platformatic/kafka). The names
 * shared with kafkajs mean the same, so a scenario moves between the two by its `driver:` alone; the batching
 * knobs (linger, batchSize) and the consumer's prefetch (highWaterMark) are this driver's own.
 */
import { z } from 'zod';
import { bytes, duration } from '../../scenario/unit-schemas.js';

export const platformaticProducerOptions = z
  .object({
    acks: z
      .union([z.enum(['all', '-1', '0', '1']), z.literal(-1), z.literal(0), z.literal(1)])
      .default('all')
      .transform((acks) => (acks === 'all' ? -1 : Number(acks))),
    compression: z.enum(['none', 'gzip', 'snappy', 'lz4', 'zstd']).default('none'),
    idempotent: z.boolean().default(false),
    /** The client's wait for each produce request (Java request.timeout.ms). */
    requestTimeout: duration().default(30_000),
    /** Attempts after the first, each after a fresh metadata lookup (leader moves), backoff 100 ms doubling to 2 s. */
    retries: z.number().int().min(0).default(5),
    /** Produce requests outstanding per broker connection (Java max.in.flight.requests.per.connection). */
    maxInFlightRequests: z.number().int().min(1).default(5),
    /** How long a partition's messages may wait for more before their request goes out (Java linger.ms). */
    linger: duration().default(0),
    /** Most bytes of message values in one partition's request; sends are gathered up to it (Java batch.size). */
    batchSize: bytes().default(1_048_576),
  })
  .strict()
  .superRefine((options, ctx) => {
    if (!options.idempotent) return;
    if (options.acks !== -1) {
      ctx.addIssue({
        code: 'custom',
        path: ['acks'],
        message: `an idempotent producer needs acks: all (the broker keeps the sequence numbers only of writes every in-sync replica took; acks ${options.acks} was given)`,
      });
    }
    if (options.retries < 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['retries'],
        message:
          'an idempotent producer needs retries of at least 1 (a request whose answer was lost must be sent again with the same sequence numbers)',
      });
    }
  });

export const platformaticConsumerOptions = z
  .object({
    sessionTimeout: duration().default(30_000),
    heartbeatInterval: duration().default(3_000),
    maxWaitTime: duration().default(100),
    minBytes: z.number().int().min(1).default(1),
    maxBytesPerPartition: z.number().int().min(1024).default(1_048_576),
    /** Messages fetched ahead of the sink (the stream's buffer); fetching pauses while it is full. */
    highWaterMark: z.number().int().min(1).default(4096),
  })
  .strict();

export type PlatformaticProducerOptions = z.output<typeof platformaticProducerOptions>;
export type PlatformaticConsumerOptions = z.output<typeof platformaticConsumerOptions>;
