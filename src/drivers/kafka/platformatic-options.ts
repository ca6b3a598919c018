/**
 * The producer and consumer options a scenario may give the platformatic driver (@platformatic/kafka). The names
 * shared with kafkajs mean the same, so a scenario moves between the two by its `driver:` alone; the batching
 * knobs (linger, batchSize) and the consumer's prefetch (highWaterMark) are this driver's own.
 */
import { z } from 'zod';
import { acksField, checkIdempotence, kafkaConsumerFields } from './kafka-option-fields.js';
import { bytes, duration } from '../../scenario/unit-schemas.js';

export const platformaticProducerOptions = z
  .object({
    acks: acksField,
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
  .superRefine((options, ctx) =>
    checkIdempotence(options, ctx, {
      acks: (acks) =>
        `the broker keeps the sequence numbers only of writes every in-sync replica took; acks ${acks} was given`,
      retries: 'a request whose answer was lost must be sent again with the same sequence numbers',
    }),
  );

export const platformaticConsumerOptions = z
  .object({
    ...kafkaConsumerFields,
    /**
     * Messages fetched ahead of the sink (the stream's buffer); fetching pauses while it is full. Only where the
     * library reads a fetch answer itself (light-fetch.ts): otherwise each answer goes to the sink as it is read.
     */
    highWaterMark: z.number().int().min(1).default(4096),
  })
  .strict();

export type PlatformaticProducerOptions = z.output<typeof platformaticProducerOptions>;
export type PlatformaticConsumerOptions = z.output<typeof platformaticConsumerOptions>;
