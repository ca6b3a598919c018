/** The producer and consumer options a scenario may give the kafkajs driver (workload.producer/consumer). */
import { z } from 'zod';
import { acksField, checkIdempotence, kafkaConsumerFields } from './kafka-option-fields.js';
import { duration } from '../../scenario/unit-schemas.js';

export const kafkajsProducerOptions = z
  .object({
    acks: acksField,
    compression: z.enum(['none', 'gzip']).default('none'),
    idempotent: z.boolean().default(false),
    requestTimeout: duration().default(30_000),
    retries: z.number().int().min(0).default(5),
    maxInFlightRequests: z.number().int().min(1).optional(),
  })
  .strict()
  .superRefine((options, ctx) =>
    // What kafkajs 2.2.4 itself refuses (src/producer/index.js, src/producer/messageProducer.js), refused here
    // with the field named instead of surfacing as failed sends or a crash at start.
    checkIdempotence(options, ctx, {
      acks: (acks) =>
        `kafkajs fails every send with acks ${acks}: "Not requiring ack for all messages invalidates the idempotent producer's EoS guarantees"`,
      retries:
        'kafkajs refuses to create it: "Idempotent producer must allow retries to protect against transient errors"',
    }),
  );

export const kafkajsConsumerOptions = z
  .object({
    ...kafkaConsumerFields,
    partitionsConsumedConcurrently: z.number().int().min(1).default(1),
  })
  .strict();

export type KafkajsProducerOptions = z.output<typeof kafkajsProducerOptions>;
export type KafkajsConsumerOptions = z.output<typeof kafkajsConsumerOptions>;
