/**
 * Pulsar geo-replication between two clusters, set through each side's admin REST API (no process of its own):
 * each cluster learns its peer, the tenant `public` is allowed on both, and namespace public/default (where
 * faultline's topics live) replicates to both. Pulsar marks replicated messages and never sends them back.
 * Undone at the end only by stopping the clusters (their data is temporary).
 *
 * Across regions, each side's replicator sits in its own cluster's region and dials the peer: the peer is
 * registered with the addresses of its path from that region (its web and binary proxies there) and with that
 * region's listener name, so the peer's topic lookups answer with the same proxy and every replicated byte
 * crosses the link between the regions (and pays its latency). Without regions, the peer's own endpoints.
 */
import type { RunningCluster } from '../cluster/provider.js';
import { pulsarListenerName } from '../cluster/pulsar/standalone-config.js';
import { PulsarAdmin, PULSAR_NAMESPACE } from '../drivers/pulsar/pulsar-admin.js';
import { InfrastructureError } from '../errors.js';
import type { RunningReplicator } from './mirror-maker.js';

/** What cluster `self`, sitting in `region`, registers for its peer: where its replicator dials it. */
export function peerRegistration(
  peer: RunningCluster,
  region: string | undefined,
): { serviceUrl: string | undefined; brokerServiceUrl: string; listenerName?: string } {
  if (region === undefined || !peer.endpointsByRegion)
    return { serviceUrl: peer.endpoints.webServiceUrl, brokerServiceUrl: peer.endpoints.bootstrap };
  const path = peer.endpointsByRegion[region];
  if (!path) {
    throw new InfrastructureError(
      `Pulsar geo-replication: cluster ${peer.spec.name} has no path from region ${region} (it is reached from ${Object.keys(peer.endpointsByRegion).join(', ')})`,
    );
  }
  return { serviceUrl: path.webServiceUrl, brokerServiceUrl: path.bootstrap, listenerName: pulsarListenerName(region) };
}

export async function startPulsarGeoReplication(
  source: RunningCluster,
  target: RunningCluster,
  log: (line: string) => void,
  info: (line: string) => void,
  regionOf: (cluster: string) => string | undefined = () => undefined,
): Promise<RunningReplicator> {
  const pair = [source, target];
  const names = pair.map((c) => c.spec.name);
  const call = async (admin: PulsarAdmin, method: string, path: string, body: unknown, what: string) => {
    const answer = await admin.request(method, path, body);
    log(`pulsar geo-replication: ${method} ${path} ${JSON.stringify(body)} → HTTP ${answer.status}`);
    if (answer.status >= 300 && answer.status !== 409)
      throw new InfrastructureError(
        `Pulsar geo-replication ${source.spec.name} → ${target.spec.name}: ${what} failed: HTTP ${answer.status} ${JSON.stringify(answer.json)}`,
      );
  };
  const startedAtMs = performance.now();
  for (const [self, peer] of [
    [source, target],
    [target, source],
  ] as const) {
    const admin = new PulsarAdmin(self.endpoints, log);
    await call(
      admin,
      'PUT',
      `clusters/${peer.spec.name}`,
      peerRegistration(peer, regionOf(self.spec.name)),
      `registering peer ${peer.spec.name} on ${self.spec.name}`,
    );
    await call(
      admin,
      'POST',
      'tenants/public',
      { adminRoles: [], allowedClusters: names },
      `allowing tenant public on ${names.join(', ')}`,
    );
    await call(
      admin,
      'POST',
      `namespaces/${PULSAR_NAMESPACE}/replication`,
      names,
      `replicating ${PULSAR_NAMESPACE} on ${self.spec.name}`,
    );
  }
  info(`Pulsar geo-replication ${source.spec.name} ⇄ ${target.spec.name} set on namespace ${PULSAR_NAMESPACE}`);
  return { name: `geo-replication ${source.spec.name} → ${target.spec.name}`, startedAtMs, stop: async () => {} };
}
