/** provider: external — a cluster someone else runs, reached at `bootstrap`. faultline starts and stops nothing. */
import type { ClusterSpec } from '../scenario/schema.js';
import type { ClusterProvider, RunningCluster } from './provider.js';

export function externalProvider(system: ClusterSpec['system']): ClusterProvider {
  return {
    name: 'external',
    system,
    defaultVersion: undefined,
    controls: { processes: false, links: false },
    async prepare() {},
    async start(spec: ClusterSpec): Promise<RunningCluster> {
      const bootstrap = spec.bootstrap!;
      return {
        spec,
        version: spec.version ?? 'unknown',
        endpoints: { bootstrap, ...(spec.webServiceUrl ? { webServiceUrl: spec.webServiceUrl } : {}) },
        brokers: bootstrap.split(',').map((address, i) => {
          const url = /^[a-z+]+:\/\//.test(address.trim())
            ? new URL(address.trim())
            : new URL(`tcp://${address.trim()}`);
          return { id: i + 1, host: url.hostname, port: Number(url.port) };
        }),
        async stop() {},
      };
    },
  };
}
