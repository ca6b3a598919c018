/**
 * The connections of one client: one per broker, shared by every producer and consumer on it, plus topic lookup
 * (LOOKUP, following `Redirect` answers to the broker they name, with `authoritative` as the broker says, and
 * through the service URL when the answer says `proxy_through_service_url`) and partitioned-topic metadata.
 */
import { BrokerConnection, BrokerError } from './connection.js';
import { Cmd } from './protocol.js';
import { serverErrorName } from './server-errors.js';

/** Where a topic is served: the broker's URL, and the URL to open a socket to (the same, or the service URL). */
export interface TopicOwner {
  logicalUrl: string;
  physicalUrl: string;
}

const MAX_REDIRECTS = 20;

export class ConnectionPool {
  private readonly connections = new Map<string, Promise<BrokerConnection>>();
  private nextId = 1;
  private closed = false;
  /** Abandons connections still opening when the client closes. */
  private readonly closing = new AbortController();

  constructor(
    readonly serviceUrl: string,
    readonly log: (line: string) => void,
  ) {}

  /** A fresh producer or consumer id (unique within this client, so within each of its connections). */
  newId(): number {
    return this.nextId++;
  }

  /** The pooled connection to `logicalUrl` (opened through `physicalUrl` when there is none open). */
  connection(logicalUrl: string, physicalUrl = logicalUrl): Promise<BrokerConnection> {
    if (this.closed) return Promise.reject(new Error('the client is closed'));
    const key = `${logicalUrl} ${physicalUrl}`;
    const existing = this.connections.get(key);
    if (existing) return existing;
    const opening = BrokerConnection.open(logicalUrl, physicalUrl, this.log, this.closing.signal).then(
      (connection) => {
        connection.onClose(() => {
          if (this.connections.get(key) === opening) this.connections.delete(key);
        });
        if (this.closed) connection.close('the client is closed');
        return connection;
      },
      (error: unknown) => {
        this.connections.delete(key);
        throw error;
      },
    );
    this.connections.set(key, opening);
    return opening;
  }

  /** Which broker serves `topic` (a full persistent://… name), following redirects. */
  async lookup(topic: string): Promise<TopicOwner> {
    let url = this.serviceUrl;
    let authoritative = false;
    for (let hop = 0; hop < MAX_REDIRECTS; hop++) {
      const connection = await this.connection(url);
      const answer = await connection.request((requestId) => ({
        type: Cmd.LOOKUP,
        lookupTopic: { topic, requestId, authoritative },
      }));
      const r = answer.lookupTopicResponse;
      // LookupType: Redirect = 0, Connect = 1, Failed = 2.
      if (r.response !== 0 && r.response !== 1)
        throw new BrokerError(serverErrorName(r.error), `lookup of ${topic}: ${r.message ?? 'failed'}`);
      const brokerUrl: string | undefined = r.brokerServiceUrl;
      if (!brokerUrl) throw new BrokerError('UnknownError', `lookup of ${topic} named no broker`);
      if (r.response === 1)
        return { logicalUrl: brokerUrl, physicalUrl: r.proxyThroughServiceUrl ? this.serviceUrl : brokerUrl };
      url = brokerUrl;
      authoritative = r.authoritative === true;
    }
    throw new BrokerError('UnknownError', `lookup of ${topic}: more than ${MAX_REDIRECTS} redirects`);
  }

  /** A topic's partition count (0: not partitioned). */
  async partitions(topic: string): Promise<number> {
    const connection = await this.connection(this.serviceUrl);
    const answer = await connection.request((requestId) => ({
      type: Cmd.PARTITIONED_METADATA,
      partitionMetadata: { topic, requestId },
    }));
    const r = answer.partitionMetadataResponse;
    if (r.response === 1)
      throw new BrokerError(serverErrorName(r.error), `partitioned metadata of ${topic}: ${r.message ?? 'failed'}`);
    return r.partitions ?? 0;
  }

  /** Opens the connection that serves `topic`. */
  async connectionFor(topic: string): Promise<BrokerConnection> {
    const owner = await this.lookup(topic);
    return this.connection(owner.logicalUrl, owner.physicalUrl);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.closing.abort();
    const all = [...this.connections.values()];
    this.connections.clear();
    // A connection still opening (a broker that does not answer) is closed once it opens; close() does not wait.
    for (const opening of all)
      void opening.then(
        (c) => c.close('the client is closed'),
        () => undefined,
      );
  }
}
