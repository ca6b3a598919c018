/** What a Pulsar consumer group needs before its clients fail over to a geo-replicated cluster. */
import { PULSAR_NAMESPACE, PulsarAdmin, pulsarTopicPath } from '../../drivers/pulsar/pulsar-admin.js';
import { InfrastructureError } from '../../errors.js';
import type { FailoverGroup } from '../system.js';

/**
 * Pulsar resumes a subscription on the target only when its state is replicated (snapshots every second, both
 * ways); the WebSocket consumer cannot ask for it, so the admin API turns it on for each source subscription.
 */
export async function replicateSubscription({ source, from, to, topic, group, log }: FailoverGroup): Promise<void> {
  const admin = new PulsarAdmin(source, log);
  const path = `${pulsarTopicPath(topic.name)}/subscription/${encodeURIComponent(group)}/replicatedSubscriptionStatus`;
  const answer = await admin.request('POST', path, true);
  log(`pulsar: POST ${path} → HTTP ${answer.status}`);
  if (answer.status >= 300) {
    throw new InfrastructureError(
      `could not replicate subscription ${group} of ${PULSAR_NAMESPACE}/${topic.name} on ${from} (needed to resume it on ${to}): HTTP ${answer.status} ${JSON.stringify(answer.json)}`,
    );
  }
}
