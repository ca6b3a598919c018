/**
 * Option fields both Kafka drivers take with the same meaning (so a scenario moves between drivers by its
 * `driver:` alone), and the idempotence rule both enforce, each driver giving its own reason.
 */
import { z } from 'zod';
import { duration } from '../../scenario/unit-schemas.js';

/** all | -1 | 0 | 1, as the number the protocol sends. */
export const acksField = z
  .union([z.enum(['all', '-1', '0', '1']), z.literal(-1), z.literal(0), z.literal(1)])
  .default('all')
  .transform((acks) => (acks === 'all' ? -1 : Number(acks)));

export const kafkaConsumerFields = {
  sessionTimeout: duration().default(30_000),
  heartbeatInterval: duration().default(3_000),
  maxWaitTime: duration().default(100),
  minBytes: z.number().int().min(1).default(1),
  maxBytesPerPartition: z.number().int().min(1024).default(1_048_576),
};

/** An idempotent producer needs acks: all and retries ≥ 1; `why` says what the driver does otherwise. */
export function checkIdempotence(
  options: { idempotent: boolean; acks: number; retries: number },
  ctx: z.RefinementCtx,
  why: { acks: (acks: number) => string; retries: string },
): void {
  if (!options.idempotent) return;
  if (options.acks !== -1)
    ctx.addIssue({
      code: 'custom',
      path: ['acks'],
      message: `an idempotent producer needs acks: all (${why.acks(options.acks)})`,
    });
  if (options.retries < 1)
    ctx.addIssue({
      code: 'custom',
      path: ['retries'],
      message: `an idempotent producer needs retries of at least 1 (${why.retries})`,
    });
}
