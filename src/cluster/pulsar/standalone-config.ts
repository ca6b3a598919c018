/**
 * standalone.conf of a local Pulsar standalone broker: loopback only, one bookie, small caches; with a proxied
 * network, one advertised listener per client path (per client region, or one without regions).
 *
 * The standalone hands this same file to its in-process bookie (BKCluster's base ServerConfiguration), so the
 * bookie's keys live here too. Without them the bookie ignores `--bookkeeper-port` (BKCluster takes a random free
 * port unless allowEphemeralPorts is set) and binds every interface (BookieNettyServer binds the wildcard address
 * unless listeningInterface is set; with it, it binds the bookie address: advertisedAddress, 127.0.0.1). The
 * broker's own Pulsar clients would open their DNS resolver's UDP socket on every interface too.
 *
 * Client paths (like Kafka's per-region client listeners): with a proxied network, clients reach the broker's
 * binary port through a proxy — with regions, every client region R through its own; without, every client through
 * one. The broker binds one extra port per path, tagged with the path's listener (`region_R`, or `clients` without
 * regions; bindAddresses), and advertises that listener as the path's proxy (advertisedListeners). A lookup answers
 * with the listener it names, or, naming none, with the listener of the port it came in on (PIP-95): so a client —
 * or a peer cluster's geo-replicator — that dials a proxy is told that proxy for every topic, and all its bytes
 * cross that link. The broker's own port stays the internal listener (what the in-broker WebSocket service dials).
 */
export interface StandalonePorts {
  broker: number;
  web: number;
  bookie: number;
}

/**
 * One client path to the binary protocol: its client region (undefined: every client, without regions), the port
 * the broker binds for it and the proxy it advertises.
 */
export interface ClientListener {
  region: string | undefined;
  port: number;
  advertisedPort: number;
}

export const INTERNAL_LISTENER = 'internal';
/** The listener of the one client path without regions (a region's is region_…, so the two never meet). */
export const CLIENTS_LISTENER = 'clients';

/**
 * The advertised listener of a client region (lookups made through that region's proxy answer with it). Pulsar
 * takes listener names of word characters only (\w+), region names also have "-" and ".": those, and "_",
 * become _ and their hex code, so distinct regions keep distinct listeners (us-east → region_us_2deast).
 */
export function pulsarListenerName(region: string): string {
  return `region_${region.replace(/[^A-Za-z0-9]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)}`;
}

/**
 * PIP-70 broker entry metadata: each entry keeps the broker's wall-clock time of its append, handed to the clients
 * that read it (the binary driver): geo-replication lag counts from it, read on the source. Also what result.json's
 * `cluster.effective` lists (src/fairness/pulsar-knobs.ts): it adds bytes to every entry.
 */
export const BROKER_TIMESTAMP_INTERCEPTOR =
  'org.apache.pulsar.common.intercept.AppendBrokerTimestampMetadataInterceptor';
export const ENTRY_METADATA_SETTINGS = {
  brokerEntryMetadataInterceptors: BROKER_TIMESTAMP_INTERCEPTOR,
  exposingBrokerEntryMetadataToClientEnabled: 'true',
} as const;

export function standaloneProperties(
  clusterName: string,
  ports: StandalonePorts,
  overrides: Record<string, string | number | boolean>,
  options: { clientListeners?: ClientListener[]; loopbackInterface?: string } = {},
): Map<string, string> {
  const clientListeners = options.clientListeners ?? [];
  const listenerOf = (l: ClientListener) => (l.region === undefined ? CLIENTS_LISTENER : pulsarListenerName(l.region));
  const defaults: Record<string, string> = {
    clusterName,
    bindAddress: '127.0.0.1',
    advertisedAddress: '127.0.0.1',
    brokerServicePort: String(ports.broker),
    webServicePort: String(ports.web),
    webSocketServiceEnabled: 'true',
    functionsWorkerEnabled: 'false',
    // The in-process bookie: on --bookkeeper-port, bound to the loopback interface only.
    allowEphemeralPorts: 'true',
    listeningInterface: options.loopbackInterface ?? 'lo',
    allowLoopback: 'true',
    httpServerEnabled: 'false',
    // The broker's own Pulsar clients (internal, geo-replication, WebSocket service) read brokerClient_* keys: their
    // DNS resolver's UDP socket is bound to loopback too (every address faultline hands them is an IP literal).
    brokerClient_dnsLookupBindAddress: '127.0.0.1',
    managedLedgerDefaultEnsembleSize: '1',
    managedLedgerDefaultWriteQuorum: '1',
    managedLedgerDefaultAckQuorum: '1',
    allowAutoTopicCreation: 'true',
    allowAutoTopicCreationType: 'non-partitioned',
    brokerDeleteInactiveTopicsEnabled: 'false',
    ...ENTRY_METADATA_SETTINGS,
    loadBalancerEnabled: 'false',
    brokerShutdownTimeoutMs: '5000',
    journalSyncData: 'false',
    managedLedgerCacheSizeMB: '64',
    dbStorage_writeCacheMaxSizeMb: '64',
    dbStorage_readAheadCacheMaxSizeMb: '64',
    dbStorage_rocksDB_blockCacheSize: String(16 * 1024 * 1024),
  };
  if (clientListeners.length > 0) {
    defaults.internalListenerName = INTERNAL_LISTENER;
    defaults.advertisedListeners = [
      `${INTERNAL_LISTENER}:pulsar://127.0.0.1:${ports.broker}`,
      ...clientListeners.map((l) => `${listenerOf(l)}:pulsar://127.0.0.1:${l.advertisedPort}`),
    ].join(',');
    defaults.bindAddresses = clientListeners.map((l) => `${listenerOf(l)}:pulsar://127.0.0.1:${l.port}`).join(',');
  }
  const properties = new Map(Object.entries(defaults));
  for (const [key, value] of Object.entries(overrides)) properties.set(key, String(value));
  return properties;
}
