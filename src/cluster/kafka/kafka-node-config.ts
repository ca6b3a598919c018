/**
 * server.properties of each KRaft node (combined broker + controller) of a local cluster, and — when the run
 * has a proxied network — which links to proxy. With a network, every path between two nodes has its own proxy
 * per direction:
 *   - clients reach broker b through proxy client→b (b advertises it on listener CLIENT);
 *   - broker p replicates from b through proxy p→b: b has a listener FROM_p per peer p, advertised as that proxy,
 *     and p's inter-broker listener is FROM_p, so p always takes "its" path to b;
 *   - node p reaches controller b through proxy p→b: each node's controller.quorum.voters lists, for every other
 *     voter, the proxy from itself to that voter.
 */
import { randomBytes } from 'node:crypto';
import type { Link } from '../../net/proxied-network.js';

export interface KafkaListener {
  name: string;
  port: number;
  /** Address clients or peers are told to use; omitted for CONTROLLER (reached through the voters list). */
  advertisedPort?: number;
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
}

export function kafkaClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Ports a layout needs per node: client and controller, plus one per peer listener with a network. */
export function portsPerNode(brokers: number, proxied: boolean): number {
  return proxied ? 2 + brokers : 2;
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
        { name: 'CONTROLLER', port: controller(b) },
      ],
      interBrokerListener: 'PLAINTEXT',
      voters,
    })),
    bootstrap: ids.map((b) => `127.0.0.1:${client(b)}`).join(','),
  };
}

/** The links a proxied layout needs, before their listen ports are known. */
export function proxiedLinkSpecs(brokers: number, ports: number[]): Array<Omit<Link, 'listenPort' | 'name'>> {
  const per = portsPerNode(brokers, true);
  const base = (b: number) => per * (b - 1);
  const ids = Array.from({ length: brokers }, (_, i) => i + 1);
  const specs: Array<Omit<Link, 'listenPort' | 'name'>> = [];
  for (const b of ids) {
    specs.push({ kind: 'client', from: 'clients', to: b, upstreamPort: ports[base(b)]! });
    for (const p of ids) {
      if (p === b) continue;
      specs.push({ kind: 'peer', from: p, to: b, upstreamPort: ports[base(b) + 2 + (p - 1)]! });
      specs.push({ kind: 'controller', from: p, to: b, upstreamPort: ports[base(b) + 1]! });
    }
  }
  return specs;
}

export function proxiedLayout(brokers: number, ports: number[], links: Link[]): KafkaClusterLayout {
  const per = portsPerNode(brokers, true);
  const base = (b: number) => per * (b - 1);
  const ids = Array.from({ length: brokers }, (_, i) => i + 1);
  const link = (kind: Link['kind'], from: number | 'clients', to: number) => links.find((l) => l.kind === kind && l.from === from && l.to === to)!;
  return {
    nodes: ids.map((b) => ({
      nodeId: b,
      listeners: [
        { name: 'CLIENT', port: ports[base(b)]!, advertisedPort: link('client', 'clients', b).listenPort },
        { name: 'CONTROLLER', port: ports[base(b) + 1]! },
        ...ids.map((p) => ({
          name: `FROM_${p}`,
          port: ports[base(b) + 2 + (p - 1)]!,
          advertisedPort: p === b ? ports[base(b) + 2 + (p - 1)]! : link('peer', p, b).listenPort,
        })),
      ],
      interBrokerListener: `FROM_${b}`,
      voters: ids.map((c) => `${c}@127.0.0.1:${c === b ? ports[base(b) + 1]! : link('controller', b, c).listenPort}`).join(','),
    })),
    bootstrap: ids.map((b) => `127.0.0.1:${link('client', 'clients', b).listenPort}`).join(','),
  };
}

export function kafkaNodeProperties(node: KafkaNodeLayout, brokers: number, logDir: string, overrides: Record<string, string | number | boolean>): Map<string, string> {
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
    'controller.listener.names': 'CONTROLLER',
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
