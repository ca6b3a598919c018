/** Kafka: kafkajs and platformatic drivers, local/docker/external providers, MirrorMaker 2 as its replicator. */
import { dockerKafkaProvider } from '../../cluster/docker/docker-providers.js';
import { externalProvider } from '../../cluster/external.js';
import { jvmRuntime } from '../../cluster/jvm-runtime.js';
import { DEFAULT_KAFKA_VERSION, kafkaArtifacts } from '../../cluster/kafka/kafka-distribution.js';
import { localKafkaProvider } from '../../cluster/kafka/local-kafka.js';
import { ensureClasspath } from '../../cluster/maven-artifacts.js';
import { kafkajsDriver } from '../../drivers/kafka/kafkajs-driver.js';
import { platformaticConsumerOptions, platformaticProducerOptions } from '../../drivers/kafka/platformatic-options.js';
import { lazyDriver } from '../../drivers/lazy-driver.js';
import { startMirrorMaker } from '../../replication/mirror-maker.js';
import { mirrorMakerClasspath } from '../../replication/mm2-distribution.js';
import type { BrokerSystem } from '../system.js';
import { kafkaFacts } from './kafka-facts.js';

/** @platformatic/kafka loads only for a scenario that names it (driver: platformatic). */
const platformaticDriver = lazyDriver({
  name: 'platformatic',
  system: 'kafka',
  producerOptions: platformaticProducerOptions,
  consumerOptions: platformaticConsumerOptions,
  load: async () => (await import('../../drivers/kafka/platformatic-driver.js')).platformaticDriver,
});

export const kafkaSystem: BrokerSystem<'kafka'> = {
  ...kafkaFacts,
  driverFactories: { kafkajs: kafkajsDriver, platformatic: platformaticDriver },
  providers: { local: localKafkaProvider, docker: dockerKafkaProvider, external: externalProvider('kafka') },
  defaultVersion: DEFAULT_KAFKA_VERSION,
  async imageClasspaths(version, log) {
    // A Kafka image also holds MirrorMaker 2 of its version (a replication into a docker Kafka cluster runs from it).
    const broker = await ensureClasspath(`kafka-${version}`, kafkaArtifacts(version), log);
    const mm2 = await mirrorMakerClasspath(version, log);
    return [
      { name: `kafka-${version}`, dir: broker.dir },
      { name: `mm2-${version}`, dir: mm2.dir },
    ];
  },
  replicatorArtifact: { name: 'mirrormaker2', prepare: mirrorMakerClasspath },
  // One MirrorMaker 2 per target, in the target's region, consuming from each source across the link.
  startReplicator(s) {
    const name = s.target.spec.name;
    const region = s.regionOf(name);
    const version = s.target.cluster.version ?? s.target.spec.version ?? DEFAULT_KAFKA_VERSION;
    const brokers = Math.min(s.target.spec.brokers, ...s.replications.map((r) => r.from.brokers));
    return startMirrorMaker({
      version,
      name: s.soleTarget ? 'mm2' : `mm2-${name}`,
      target: { name, bootstrap: s.endpointsFrom(name, region).bootstrap, replicationFactor: brokers },
      flows: s.replications.map((replication) => ({
        replication,
        sourceBootstrap: s.endpointsFrom(replication.from.name, region).bootstrap,
      })),
      logDir: s.logDir,
      registry: s.registry,
      // MirrorMaker 2 runs where its target cluster's brokers run (a cluster someone else runs: a local JVM).
      runtime: s.target.provider.runtime ?? jvmRuntime,
      info: s.info,
    });
  },
};
