/**
 * Pulsar's admin REST API (on the web service port), for readiness and topics. Topics live in
 * public/default; a scenario topic with partitions > 1 becomes a partitioned topic.
 */
import type { ClusterEndpoints } from '../../cluster/provider.js';
import { InfrastructureError } from '../../errors.js';
import type { TopicSpec } from '../../scenario/schema.js';
import type { ClusterAdmin } from '../driver.js';

export const PULSAR_NAMESPACE = 'public/default';

export function pulsarTopicPath(topic: string): string {
  return `persistent/${PULSAR_NAMESPACE}/${encodeURIComponent(topic)}`;
}

export class PulsarAdmin implements ClusterAdmin {
  private readonly base: string;

  constructor(
    endpoints: ClusterEndpoints,
    private readonly log: (line: string) => void,
  ) {
    if (!endpoints.webServiceUrl) throw new InfrastructureError('Pulsar needs a web service URL (admin API)');
    this.base = endpoints.webServiceUrl.replace(/\/+$/, '');
  }

  async request(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${this.base}/admin/v2/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let json: unknown = text;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      /* plain text answer */
    }
    return { status: response.status, json };
  }

  /** Ready when the cluster lists `count` brokers and public/default exists. */
  async waitForBrokers(count: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let last = 'no answer yet';
    while (performance.now() < deadline && !signal?.aborted) {
      try {
        const clusters = await this.request('GET', 'clusters');
        const cluster = Array.isArray(clusters.json) ? (clusters.json[0] as string | undefined) : undefined;
        const namespaces = await this.request('GET', 'namespaces/public');
        const brokers = cluster ? await this.request('GET', `brokers/${cluster}`) : undefined;
        const brokerCount = Array.isArray(brokers?.json) ? brokers.json.length : 0;
        const hasNamespace = Array.isArray(namespaces.json) && namespaces.json.includes(PULSAR_NAMESPACE);
        if (cluster && hasNamespace && brokerCount >= count) return;
        last = `cluster ${cluster ?? '?'}, ${brokerCount} of ${count} broker(s), ${PULSAR_NAMESPACE} ${hasNamespace ? 'present' : 'missing'}`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    if (signal?.aborted) return;
    throw new InfrastructureError(`Pulsar not ready after ${timeoutMs} ms (${last})`);
  }

  async ensureTopics(topics: TopicSpec[]): Promise<void> {
    for (const topic of topics) {
      const path = pulsarTopicPath(topic.name);
      const created =
        topic.partitions > 1
          ? await this.request('PUT', `${path}/partitions`, topic.partitions)
          : await this.request('PUT', path);
      if (created.status < 300) {
        this.log(`created Pulsar topic ${path} (${topic.partitions} partition(s))`);
        continue;
      }
      if (created.status !== 409)
        throw new InfrastructureError(
          `creating Pulsar topic ${topic.name} failed: HTTP ${created.status} ${JSON.stringify(created.json)}`,
        );
      const metadata = await this.request('GET', `${path}/partitions`);
      const partitions = (metadata.json as { partitions?: number } | undefined)?.partitions ?? 0;
      if (Math.max(1, partitions) !== topic.partitions) {
        throw new InfrastructureError(
          `topic ${topic.name} already exists with ${Math.max(1, partitions)} partition(s), the scenario asks for ${topic.partitions}; faultline never deletes a topic it did not create`,
        );
      }
    }
  }

  /** Whether a subscription exists on a topic (on every partition of a partitioned topic). */
  async hasSubscription(topic: TopicSpec, subscription: string): Promise<boolean> {
    const paths =
      topic.partitions > 1
        ? Array.from({ length: topic.partitions }, (_, i) => pulsarTopicPath(`${topic.name}-partition-${i}`))
        : [pulsarTopicPath(topic.name)];
    for (const path of paths) {
      const answer = await this.request('GET', `${path}/subscriptions`);
      if (!Array.isArray(answer.json) || !answer.json.includes(subscription)) return false;
    }
    return true;
  }

  async close(): Promise<void> {}
}
