/** Pulsar: native, binary and WebSocket drivers, local/docker/external providers, geo-replication. */
import { dockerPulsarProvider } from '../../cluster/docker/docker-providers.js';
import { externalProvider } from '../../cluster/external.js';
import { ensureClasspath } from '../../cluster/maven-artifacts.js';
import { DEFAULT_PULSAR_VERSION, pulsarArtifacts } from '../../cluster/pulsar/pulsar-distribution.js';
import { localPulsarProvider } from '../../cluster/pulsar/local-pulsar.js';
import { pulsarBinaryDriver } from '../../drivers/pulsar/binary/binary-driver.js';
import { pulsarNativeDriver } from '../../drivers/pulsar/pulsar-native-driver.js';
import { pulsarWebSocketDriver } from '../../drivers/pulsar/pulsar-websocket-driver.js';
import type { RunningReplicator } from '../../replication/mirror-maker.js';
import { startPulsarGeoReplication } from '../../replication/pulsar-geo-replication.js';
import type { BrokerSystem } from '../system.js';
import { pulsarFacts } from './pulsar-facts.js';
import { replicateSubscription } from './pulsar-failover.js';
import { checkPulsarPlan } from './pulsar-plan-checks.js';

export const pulsarSystem: BrokerSystem<'pulsar'> = {
  ...pulsarFacts,
  driverFactories: { native: pulsarNativeDriver, binary: pulsarBinaryDriver, websocket: pulsarWebSocketDriver },
  providers: { local: localPulsarProvider, docker: dockerPulsarProvider, external: externalProvider('pulsar') },
  defaultVersion: DEFAULT_PULSAR_VERSION,
  async imageClasspaths(version, log) {
    const broker = await ensureClasspath(`pulsar-${version}`, pulsarArtifacts(version), log);
    return [{ name: `pulsar-${version}`, dir: broker.dir }];
  },
  // Geo-replication is namespace config on both sides, one pair at a time; nothing to stop but the clusters.
  async startReplicator(s) {
    let last: RunningReplicator | undefined;
    for (const r of s.replications)
      last = await startPulsarGeoReplication(s.clusterOf(r.from.name), s.target.cluster, s.log, s.info, s.regionOf);
    return last!;
  },
  checkPlan: checkPulsarPlan,
  prepareFailoverGroup: replicateSubscription,
};
