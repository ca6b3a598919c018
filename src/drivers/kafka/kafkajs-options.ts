/** The producer and consumer options a scenario may give the kafkajs driver (workload.producer/consumer). */
import { z } from 'zod';
import { duration } from '../../scenario/unit-schemas.js';

export const kafkajsProducerOptions = z
  .object({
    acks: z
      .union([z.enum(['all', '-1', '0', '1']), z.literal(-1), z.literal(0), z.literal(1)])
      .default('all')
      .transform((acks) => (acks === 'all' ? -1 : Number(acks))),
    compression: z.enum(['none', 'gzip']).default('none'),
    idempotent: z.boolean().default(false),
    requestTimeout: duration().default(30_000),
    retries: z.number().int().min(0).default(5),
    maxInFlightRequests: z.number().int().min(1).optional(),
  })
  .strict();

export const kafkajsConsumerOptions = z
  .object({
    sessionTimeout: duration().default(30_000),
    heartbeatInterval: duration().default(3_000),
    maxWaitTime: duration().default(100),
    minBytes: z.number().int().min(1).default(1),
    maxBytesPerPartition: z.number().int().min(1024).default(1_048_576),
    partitionsConsumedConcurrently: z.number().int().min(1).default(1),
  })
  .strict();

export type KafkajsProducerOptions = z.output<typeof kafkajsProducerOptions>;
export type KafkajsConsumerOptions = z.output<typeof kafkajsConsumerOptions>;
