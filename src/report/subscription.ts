/**
 * Which subscription the workload's consumers ran with, the order it promises and why it was chosen (result.json
 * `cluster.subscription`): a Kafka consumer group reads each partition in order; a Pulsar subscription does so as
 * Exclusive or Failover (the default beside another system), each key in order as Key_Shared, and promises no
 * order as Shared (Pulsar's own default). A comparison of sides whose orders differ is not like for like.
 */
import type { ClusterRun } from '../plan/plan.js';
import type { Scenario } from '../scenario/schema.js';
import { allSystemFacts } from '../systems/facts.js';
import type { DeliveryOrder } from '../systems/system-facts.js';

export interface SubscriptionRecord {
  /** As the system names it: Exclusive, Shared, Failover or Key_Shared (Pulsar); consumer group (Kafka). */
  type: string;
  /** What order each consumer group is promised: each partition's, each key's, or none. */
  ordering: DeliveryOrder;
  /**
   * scenario: the scenario named it; comparison: the system's choice for a scenario that also runs another system
   * (so both sides deliver alike); default: the system's (or driver's) own default.
   */
  why: 'scenario' | 'comparison' | 'default';
}

/** The subscription of a cluster's workload consumers; undefined when the workload runs none. */
export function subscriptionOf(
  scenario: Pick<Scenario, 'workload'>,
  run: Pick<ClusterRun, 'cluster' | 'consumerOptions'>,
): SubscriptionRecord | undefined {
  const facts = allSystemFacts.find((system) => system.name === run.cluster.system);
  if (scenario.workload.consumers === 0 || !facts) return undefined;
  const { type, option, ordering } = facts.delivery(run.consumerOptions ?? {});
  const named = (options: Record<string, unknown> | undefined) =>
    option !== undefined && options?.[option] !== undefined;
  const why =
    named(scenario.workload.consumer) || named(run.cluster.consumer)
      ? 'scenario'
      : option !== undefined && facts.comparisonConsumerDefaults?.[option] !== undefined && named(run.consumerOptions)
        ? 'comparison'
        : 'default';
  return { type, ordering, why };
}

const ORDER_WORDS: Record<DeliveryOrder, string> = {
  partition: 'each partition in order',
  key: 'each key in order',
  none: 'no order promised',
};

const WHY_WORDS: Record<SubscriptionRecord['why'], string> = {
  scenario: 'named by the scenario',
  comparison: 'chosen because the scenario compares systems',
  default: 'the default',
};

/** The promised order in words. */
export function orderingWords(s: SubscriptionRecord): string {
  return ORDER_WORDS[s.ordering];
}

/** E.g. "Failover subscription (chosen because the scenario compares systems)". */
export function subscriptionKind(s: SubscriptionRecord): string {
  return `${s.type === 'consumer group' ? s.type : `${s.type} subscription`} (${WHY_WORDS[s.why]})`;
}

/** E.g. "Failover subscription: each partition in order (chosen because the scenario compares systems)". */
export function describeSubscription(s: SubscriptionRecord): string {
  const kind = s.type === 'consumer group' ? s.type : `${s.type} subscription`;
  return `${kind}: ${orderingWords(s)} (${WHY_WORDS[s.why]})`;
}
