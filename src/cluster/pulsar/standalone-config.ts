/** standalone.conf of a local Pulsar standalone broker: loopback only, one bookie, small caches. */
export interface StandalonePorts {
  broker: number;
  web: number;
  bookie: number;
}

export function standaloneProperties(clusterName: string, ports: StandalonePorts, overrides: Record<string, string | number | boolean>): Map<string, string> {
  const defaults: Record<string, string> = {
    clusterName,
    bindAddress: '127.0.0.1',
    advertisedAddress: '127.0.0.1',
    brokerServicePort: String(ports.broker),
    webServicePort: String(ports.web),
    webSocketServiceEnabled: 'true',
    functionsWorkerEnabled: 'false',
    managedLedgerDefaultEnsembleSize: '1',
    managedLedgerDefaultWriteQuorum: '1',
    managedLedgerDefaultAckQuorum: '1',
    allowAutoTopicCreation: 'true',
    allowAutoTopicCreationType: 'non-partitioned',
    brokerDeleteInactiveTopicsEnabled: 'false',
    loadBalancerEnabled: 'false',
    brokerShutdownTimeoutMs: '5000',
    journalSyncData: 'false',
    managedLedgerCacheSizeMB: '64',
    dbStorage_writeCacheMaxSizeMb: '64',
    dbStorage_readAheadCacheMaxSizeMb: '64',
    dbStorage_rocksDB_blockCacheSize: String(16 * 1024 * 1024),
  };
  const properties = new Map(Object.entries(defaults));
  for (const [key, value] of Object.entries(overrides)) properties.set(key, String(value));
  return properties;
}
