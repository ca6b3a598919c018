/** Where downloaded broker artifacts and run records live: $FAULTLINE_CACHE, else ~/.cache/faultline. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function cacheDir(...parts: string[]): string {
  const root =
    process.env.FAULTLINE_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'faultline');
  return join(root, ...parts);
}
