/** Toxiproxy's bandwidth toxic counts `rate` in KB/s of 1000 bytes (toxics/bandwidth.go: sleep = bytes × 1 ms / rate). */
export const TOXIPROXY_BANDWIDTH_UNIT_BYTES = 1000;

/** Bytes per second as Toxiproxy's whole KB/s (1 KB = 1000 B); the plan admits only rates it can express exactly. */
export function toxiproxyRate(bytesPerSec: number): number {
  const rate = bytesPerSec / TOXIPROXY_BANDWIDTH_UNIT_BYTES;
  if (!Number.isInteger(rate) || rate < 1)
    throw new Error(`bandwidth ${bytesPerSec} B/s is not a whole number (≥ 1) of Toxiproxy's KB/s (1000 B/s)`);
  return rate;
}

/** Toxiproxy's bandwidth toxic takes whole KB/s of 1000 B; 0 means no limit at all. */
export function bandwidthProblem(bytesPerSec: number): string | undefined {
  const unit = TOXIPROXY_BANDWIDTH_UNIT_BYTES;
  if (bytesPerSec === 0)
    return 'must be more than 0 B/s (Toxiproxy reads a rate of 0 as no limit at all); the lowest limit it can set is 1KB (1000 B/s)';
  if (bytesPerSec < unit)
    return `Toxiproxy limits bandwidth in whole KB/s (1 KB = 1000 B): ${bytesPerSec} B/s is below its lowest limit, 1KB (1000 B/s)`;
  if (bytesPerSec % unit !== 0) {
    const low = Math.floor(bytesPerSec / unit);
    return `Toxiproxy limits bandwidth in whole KB/s (1 KB = 1000 B): ${bytesPerSec} B/s is not one (use ${low}KB or ${low + 1}KB)`;
  }
  return undefined;
}
