/** Waits until a freshly started cluster serves, or fails fast with the log tail of a broker that died. */
import type { ClusterAdmin } from '../drivers/driver.js';
import { InfrastructureError } from '../errors.js';
import type { ProcessControl } from './runtime.js';

export async function waitUntilServing(
  admin: ClusterAdmin,
  processes: ProcessControl[],
  brokers: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  const died = Promise.race(
    processes.map(async (p) => {
      const code = await p.exited();
      throw new InfrastructureError(`broker ${p.name} exited (code ${code}) during start-up: ${p.failureReason()}`);
    }),
  );
  died.catch(() => {});
  try {
    await Promise.race([admin.waitForBrokers(brokers, timeoutMs, signal), died]);
  } finally {
    await admin.close().catch(() => {});
  }
}
