/**
 * What the scenario layer (schema, topology, replication and fault plans) may know of a broker system without
 * loading its clients or brokers: names, driver traits, capabilities and checks, as plain data. Each system's
 * folder holds its facts (e.g. kafka/kafka-facts.ts) beside its runtime parts (kafka/kafka-system.ts).
 */
import type { FieldPath } from '../scenario/problems.js';

/** The order a consumer group is promised: each partition's messages in order, each key's, or none. */
export type DeliveryOrder = 'partition' | 'key' | 'none';

/** A driver as the plan sees it; its factory (the clients themselves) sits in the system's runtime module. */
export interface DriverFacts {
  readonly name: string;
  /**
   * Set when the messages the driver sends and receives may not cross faultline's proxied client links
   * (Toxiproxy), so network faults on client links would not be shown to touch them; and why. Default: they cross.
   */
  readonly bypassesClientProxies?: { why: string };
  /** Why the driver cannot read from a follower replica, when it cannot (followerFetching). */
  readonly noFollowerFetching?: string;
}

/** How a system copies topics between clusters (replication: in a scenario). */
export interface ReplicatorFacts {
  /** As users name it, e.g. "MirrorMaker 2". */
  readonly label: string;
  /**
   * Runs as a process of its own, in the target's region (a fault target, fetched by `setup`); otherwise it runs
   * inside the brokers.
   */
  readonly ownProcess: boolean;
  /** Each side's brokers dial the other (so both regions' clients reach both clusters); else only the target's. */
  readonly bothWays: boolean;
  /** Can prefix replicated topics with the source cluster (policy: default); otherwise names are kept. */
  readonly renamesTopics: boolean;
  readonly exactlyOnce: boolean;
  /** One replicator serves every replication into a target, so their settings must agree. */
  readonly onePerTarget: boolean;
  /** A replication cycle with kept names loops records forever (the replicator does not mark what it copied). */
  readonly loopsOnCycles: boolean;
  /** Creates the replica topics with the source's replication factor on the target. */
  readonly createsTargetTopics: boolean;
  /** A topic setting faultline sets on replicated topics (a scenario may not), and why. */
  readonly reservedTopicConfig?: { key: string; why: string };
  /**
   * Replication lag counts from a time set in the source broker that only some drivers read: a publish time set
   * there (publishTimeFromBroker), or the broker's append time read on the source (readsBrokerAppendTime);
   * otherwise faultline stamps the source's append time whatever the driver.
   */
  readonly lagNeedsBrokerPublishTime: boolean;
  /** One line for `faultline validate`. */
  describe(replication: { policy: string; exactlyOnce: boolean; external?: boolean }): string;
}

/** The fields of a scenario's cluster entry a system's own checks read (structural: no import of the schema). */
export interface ClusterEntry {
  provider: string;
  brokers: number;
  bootstrap?: string | undefined;
  webServiceUrl?: string | undefined;
}

/** A problem with a cluster entry, its path relative to the entry (e.g. ['brokers']); key: a misplaced key. */
export interface EntryProblem {
  path: FieldPath;
  message: string;
  key?: string;
}

export interface SystemFacts<N extends string = string> {
  /** The scenario's `system:` value. */
  readonly name: N;
  /** As prose names it, e.g. "Kafka". */
  readonly label: string;
  /** Its drivers, in the order `driver: auto` tries them. */
  readonly drivers: readonly DriverFacts[];
  /** What the schema's description of `driver` says of this system's drivers (one sentence). */
  readonly driverHelp: string;
  /** Consumers can read from a replica in their own region (Kafka's KIP-392); else why not. */
  readonly followerFetching: true | string;
  /** Why there are no broker-to-broker links a fault could cut, when there are none. */
  readonly noBrokerLinks?: string;
  /** Why topic `config` is not passed to this system, when it is not. */
  readonly noTopicConfig?: string;
  readonly replicator: ReplicatorFacts;
  /**
   * Consumer options the plan fills in, where the scenario gives none, for a cluster of this system in a scenario
   * that also runs another system (a comparison), so that both sides deliver alike.
   */
  readonly comparisonConsumerDefaults?: Record<string, unknown>;
  /**
   * How the workload's consumers receive with these (validated) consumer options: the kind of subscription as the
   * system names it, the consumer option that chooses it (when one does), and the order it promises.
   */
  delivery(consumerOptions: Record<string, unknown>): { type: string; option?: string; ordering: DeliveryOrder };
  /** Checks of a cluster entry that need only the entry (its endpoints, broker count). */
  checkEntry(cluster: ClusterEntry): EntryProblem[];
}
