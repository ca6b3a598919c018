/**
 * The testcontainers client, set up for machines without a registry: no Ryuk (its image cannot be pulled; faultline
 * removes its containers by label instead), and the daemon's host taken as loopback (every container uses host
 * networking; /.dockerenv would otherwise make testcontainers look for a bridge gateway). A user's own settings of
 * those variables win. Loaded on first use, so commands that run no container do not load it.
 */
import { InfrastructureError } from '../../errors.js';
import { START_RUNTIME_HINT } from './docker-cli.js';

type Testcontainers = typeof import('testcontainers');
type Client = Awaited<ReturnType<Testcontainers['getContainerRuntimeClient']>>;

let loaded: Promise<{ tc: Testcontainers; client: Client }> | undefined;

export function containerClient(): Promise<{ tc: Testcontainers; client: Client }> {
  loaded ??= (async () => {
    process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
    process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
    const tc = await import('testcontainers');
    try {
      return { tc, client: await tc.getContainerRuntimeClient() };
    } catch (error) {
      throw new InfrastructureError(
        `no container runtime answers (${(error as Error).message.split('\n')[0]}): ${START_RUNTIME_HINT}`,
      );
    }
  })();
  loaded.catch(() => (loaded = undefined));
  return loaded;
}
