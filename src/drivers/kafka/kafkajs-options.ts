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
  .strict()
  .superRefine((options, ctx) => {
    // What kafkajs 2.2.4 itself refuses (src/producer/index.js, src/producer/messageProducer.js), refused here
    // with the field named instead of surfacing as failed sends or a crash at start.
    if (!options.idempotent) return;
    if (options.acks !== -1) {
      ctx.addIssue({
        code: 'custom',
        path: ['acks'],
        message: `an idempotent producer needs acks: all (kafkajs fails every send with acks ${options.acks}: "Not requiring ack for all messages invalidates the idempotent producer's EoS guarantees")`,
      });
    }
    if (options.retries < 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['retries'],
        message:
          'an idempotent producer needs retries of at least 1 (kafkajs refuses to create it: "Idempotent producer must allow retries to protect against transient errors")',
      });
    }
  });

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
