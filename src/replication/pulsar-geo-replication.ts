/**
 * Pulsar geo-replication between two clusters, set through each side's admin REST API (no process of its own):
 * each cluster learns its peer, the tenant `public` is allowed on both, and namespace public/default (where
 * faultline's topics live) replicates to both. Pulsar marks replicated messages and never sends them back.
 * Undone at the end only by stopping the clusters (their data is temporary).
 */
import type { RunningCluster } from '../cluster/provider.js';
import { PulsarAdmin, PULSAR_NAMESPACE } from '../drivers/pulsar/pulsar-admin.js';
import { InfrastructureError } from '../errors.js';
import type { RunningReplicator } from './mirror-maker.js';

export async function startPulsarGeoReplication(source: RunningCluster, target: RunningCluster, log: (line: string) => void, info: (line: string) => void): Promise<RunningReplicator> {
  const pair = [source, target];
  const names = pair.map((c) => c.spec.name);
  const call = async (admin: PulsarAdmin, method: string, path: string, body: unknown, what: string) => {
    const answer = await admin.request(method, path, body);
    log(`pulsar geo-replication: ${method} ${path} → HTTP ${answer.status}`);
    if (answer.status >= 300 && answer.status !== 409) throw new InfrastructureError(`Pulsar geo-replication ${source.spec.name} → ${target.spec.name}: ${what} failed: HTTP ${answer.status} ${JSON.stringify(answer.json)}`);
  };
  const startedAtMs = performance.now();
  for (const [self, peer] of [
    [source, target],
    [target, source],
  ] as const) {
    const admin = new PulsarAdmin(self.endpoints, log);
    await call(admin, 'PUT', `clusters/${peer.spec.name}`, { serviceUrl: peer.endpoints.webServiceUrl, brokerServiceUrl: peer.endpoints.bootstrap }, `registering peer ${peer.spec.name} on ${self.spec.name}`);
    await call(admin, 'POST', 'tenants/public', { adminRoles: [], allowedClusters: names }, `allowing tenant public on ${names.join(', ')}`);
    await call(admin, 'POST', `namespaces/${PULSAR_NAMESPACE}/replication`, names, `replicating ${PULSAR_NAMESPACE} on ${self.spec.name}`);
  }
  info(`Pulsar geo-replication ${source.spec.name} ⇄ ${target.spec.name} set on namespace ${PULSAR_NAMESPACE}`);
  return { name: `geo-replication ${source.spec.name} → ${target.spec.name}`, startedAtMs, stop: async () => {} };
}
