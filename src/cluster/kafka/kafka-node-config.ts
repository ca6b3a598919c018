/**
 * server.properties of each KRaft node (combined broker + controller) of a local cluster, and — when the run
 * has a proxied network — which links to proxy. With a network, every path between two nodes has its own proxy
 * per direction:
 *   - clients reach broker b through proxy client→b (b advertises it on listener CLIENT); with clients placed in
 *     several regions, b has a client listener per client region (CLIENT_k for the k-th region), advertised as
 *     that region's proxy to b, so a client of region k always takes its own region's path to every broker
 *     (Kafka answers metadata with the endpoints of the listener the request came in on);
 *   - broker p replicates from b through proxy p→b: b has a listener FROM_p per peer p, advertised as that proxy,
 *     and p's inter-broker listener is FROM_p, so p always takes "its" path to b;
 *   - node p reaches controller b through proxy p→b: b has a controller listener CONTROLLER_FROM_p per peer p,
 *     advertised as that proxy, and p's first controller listener name is CONTROLLER_FROM_p. Since KIP-853 a KRaft
 *     follower fetches from the endpoints the *leader advertises* under the follower's own controller listener
 *     name (not from controller.quorum.voters), so one shared CONTROLLER listener would let quorum traffic bypass
 *     the proxies and an "isolated" controller would stay leader. controller.quorum.voters also lists, for every
 *     other voter, the proxy from this node to that voter (used before a leader is known: votes, first fetch).
 */
import { randomBytes } from 'node:crypto';
import type { Link } from '../../net/proxied-network.js';

export interface KafkaListener {
  name: string;
  port: number;
  /** Address clients or peers are told to use; omitted where the bound port is the address. */
  advertisedPort?: number;
  /** A KRaft controller listener; the node's first one is the name it uses to reach other controllers. */
  controller?: boolean;
}

export interface KafkaNodeLayout {
  nodeId: number;
  listeners: KafkaListener[];
  interBrokerListener: string;
  voters: string;
}

export interface KafkaClusterLayout {
  nodes: KafkaNodeLayout[];
  /** Client connect string (through the client proxies when there is a network). */
  bootstrap: string;
  /** With clients in several regions: each region's connect string (through its own proxies). */
  bootstrapByRegion?: Record<string, string>;
}

export function kafkaClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * Ports a layout needs per node: client and controller; with a network, a client listener per client region
 * plus a replication and a controller listener per node.
 */
export function portsPerNode(brokers: number, proxied: boolean, clientRegions = 1): number {
  return proxied ? clientRegions + 2 * brokers : 2;
}

/** Where node b's listeners sit in the port list of a proxied layout. */
function proxiedPorts(brokers: number, ports: number[], clientRegions: number) {
  const base = (b: number) => portsPerNode(brokers, true, clientRegions) * (b - 1);
  return {
    /** b's client listener for the k-th client region. */
    client: (b: number, k = 0) => ports[base(b) + k]!,
    /** b's replication listener for peer p. */
    peer: (b: number, p: number) => ports[base(b) + clientRegions - 1 + p]!,
    /** b's controller listener for node p. */
    controller: (b: number, p: number) => ports[base(b) + clientRegions - 1 + brokers + p]!,
  };
}

export function directLayout(brokers: number, ports: number[]): KafkaClusterLayout {
  const client = (b: number) => ports[2 * (b - 1)]!;
  const controller = (b: number) => ports[2 * (b - 1) + 1]!;
  const ids = Array.from({ length: brokers }, (_, i) => i + 1);
  const voters = ids.map((c) => `${c}@127.0.0.1:${controller(c)}`).join(',');
  return {
    nodes: ids.map((b) => ({
      nodeId: b,
      listeners: [
        { name: 'PLAINTEXT', port: client(b), advertisedPort: client(b) },
        { name: 'CONTROLLER', port: controller(b), controller: true },
      ],
      interBrokerListener: 'PLAINTEXT',
      voters,
    })),
    bootstrap: ids.map((b) => `127.0.0.1:${client(b)}`).join(','),
  };
}

/**
 * The links a proxied layout needs, before their listen ports are known. `clientRegions`: the regions clients
 * sit in (undefined: one implicit client region).
 */
export function proxiedLinkSpecs(
  brokers: number,
  ports: number[],
  clientRegions?: string[],
): Array<Omit<Link, 'listenPort' | 'name'>> {
  const port = proxiedPorts(brokers, ports, clientRegions?.length ?? 1);
  const ids = Array.from({ length: brokers }, (_, i) => i + 1);
  const specs: Array<Omit<Link, 'listenPort' | 'name'>> = [];
  for (const b of ids) {
    if (clientRegions)
      clientRegions.forEach((clientRegion, k) =>
        specs.push({ kind: 'client', from: 'clients', to: b, upstreamPort: port.client(b, k), clientRegion }),
      );
    else specs.push({ kind: 'client', from: 'clients', to: b, upstreamPort: port.client(b) });
    for (const p of ids) {
      if (p === b) continue;
      specs.push({ kind: 'peer', from: p, to: b, upstreamPort: port.peer(b, p) });
      specs.push({ kind: 'controller', from: p, to: b, upstreamPort: port.controller(b, p) });
    }
  }
  return specs;
}

export function proxiedLayout(
  brokers: number,
  ports: number[],
  links: Link[],
  clientRegions?: string[],
): KafkaClusterLayout {
  const port = proxiedPorts(brokers, ports, clientRegions?.length ?? 1);
  const ids = Array.from({ length: brokers }, (_, i) => i + 1);
  const link = (kind: Link['kind'], from: number | 'clients', to: number, clientRegion?: string) =>
    links.find((l) => l.kind === kind && l.from === from && l.to === to && l.clientRegion === clientRegion)!;
  const clientListeners = (b: number): KafkaListener[] =>
    clientRegions
      ? clientRegions.map((region, k) => ({
          name: `CLIENT_${k}`,
          port: port.client(b, k),
          advertisedPort: link('client', 'clients', b, region).listenPort,
        }))
      : [{ name: 'CLIENT', port: port.client(b), advertisedPort: link('client', 'clients', b).listenPort }];
  const bootstrapFrom = (region?: string) =>
    ids.map((b) => `127.0.0.1:${link('client', 'clients', b, region).listenPort}`).join(',');
  /** Node b's listeners for peer p, own first: p reaches b through proxy p→b; b's own are never dialled by others. */
  const perPeer = (
    b: number,
    prefix: 'FROM' | 'CONTROLLER_FROM',
    kind: 'peer' | 'controller',
    bound: (b: number, p: number) => number,
    controller: boolean,
  ) =>
    [b, ...ids.filter((p) => p !== b)].map((p) => ({
      name: `${prefix}_${p}`,
      port: bound(b, p),
      advertisedPort: p === b ? bound(b, p) : link(kind, p, b).listenPort,
      ...(controller ? { controller } : {}),
    }));
  return {
    nodes: ids.map((b) => ({
      nodeId: b,
      listeners: [
        ...clientListeners(b),
        ...perPeer(b, 'FROM', 'peer', port.peer, false),
        ...perPeer(b, 'CONTROLLER_FROM', 'controller', port.controller, true),
      ],
      interBrokerListener: `FROM_${b}`,
      voters: ids
        .map((c) => `${c}@127.0.0.1:${c === b ? port.controller(b, b) : link('controller', b, c).listenPort}`)
        .join(','),
    })),
    bootstrap: bootstrapFrom(clientRegions?.[0]),
    ...(clientRegions
      ? { bootstrapByRegion: Object.fromEntries(clientRegions.map((region) => [region, bootstrapFrom(region)])) }
      : {}),
  };
}

export function kafkaNodeProperties(
  node: KafkaNodeLayout,
  brokers: number,
  logDir: string,
  overrides: Record<string, string | number | boolean>,
): Map<string, string> {
  const internalReplication = String(Math.min(3, brokers));
  const defaults: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': String(node.nodeId),
    'controller.quorum.voters': node.voters,
    listeners: node.listeners.map((l) => `${l.name}://127.0.0.1:${l.port}`).join(','),
    'advertised.listeners': node.listeners
      .filter((l) => l.advertisedPort !== undefined)
      .map((l) => `${l.name}://127.0.0.1:${l.advertisedPort}`)
      .join(','),
    'controller.listener.names': node.listeners
      .filter((l) => l.controller)
      .map((l) => l.name)
      .join(','),
    'inter.broker.listener.name': node.interBrokerListener,
    'listener.security.protocol.map': node.listeners.map((l) => `${l.name}:PLAINTEXT`).join(','),
    'log.dirs': logDir,
    'auto.create.topics.enable': 'false',
    'offsets.topic.replication.factor': internalReplication,
    'offsets.topic.num.partitions': '10',
    'transaction.state.log.replication.factor': internalReplication,
    'transaction.state.log.min.isr': String(Math.min(2, brokers)),
    'share.coordinator.state.topic.replication.factor': internalReplication,
    'share.coordinator.state.topic.min.isr': String(Math.min(2, brokers)),
    'group.initial.rebalance.delay.ms': '0',
    'num.network.threads': '3',
    'num.io.threads': '4',
  };
  const properties = new Map(Object.entries(defaults));
  for (const [key, value] of Object.entries(overrides)) properties.set(key, String(value));
  return properties;
}
