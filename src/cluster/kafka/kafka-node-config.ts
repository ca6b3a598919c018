/** server.properties of one KRaft node (combined broker + controller) in a local cluster. */
import { randomBytes } from 'node:crypto';

export interface KafkaNodePorts {
  client: number;
  controller: number;
}

export interface KafkaNodeConfigInput {
  nodeId: number;
  ports: KafkaNodePorts;
  /** Ports of every node, in node-id order starting at 1. */
  allPorts: KafkaNodePorts[];
  logDir: string;
  /** The scenario's pass-through settings: they win over the defaults. */
  overrides: Record<string, string | number | boolean>;
}

export function kafkaClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export function kafkaNodeProperties(input: KafkaNodeConfigInput): Map<string, string> {
  const brokers = input.allPorts.length;
  const voters = input.allPorts.map((ports, i) => `${i + 1}@127.0.0.1:${ports.controller}`).join(',');
  const internalReplication = String(Math.min(3, brokers));
  const defaults: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': String(input.nodeId),
    'controller.quorum.voters': voters,
    listeners: `PLAINTEXT://127.0.0.1:${input.ports.client},CONTROLLER://127.0.0.1:${input.ports.controller}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${input.ports.client}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': input.logDir,
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
  for (const [key, value] of Object.entries(input.overrides)) properties.set(key, String(value));
  return properties;
}
