/** provider: external — a cluster someone else runs, reached at `bootstrap`. faultline starts and stops nothing. */
import type { ClusterSpec } from '../scenario/schema.js';
import type { ClusterProvider, RunningCluster } from './provider.js';

export function externalProvider(system: ClusterSpec['system']): ClusterProvider {
  return {
    name: 'external',
    system,
    defaultVersion: undefined,
    async prepare() {},
    async start(spec: ClusterSpec): Promise<RunningCluster> {
      const bootstrap = spec.bootstrap!;
      return {
        spec,
        version: spec.version ?? 'unknown',
        bootstrap,
        brokers: bootstrap.split(',').map((address, i) => {
          const [host = '', port = '0'] = address.trim().split(':');
          return { id: i + 1, host, port: Number(port) };
        }),
        async stop() {},
      };
    },
  };
}
