/**
 * Fakes for the fault machinery's unit tests: a network that keeps which proxies are enabled and which toxics
 * exist, brokers with a process state (running, paused, down), and a load clock on node:test's mock timers, so a
 * fault timeline plays out deterministically without brokers, Toxiproxy or sleeps.
 */
import { mock } from 'node:test';
import type { RunningCluster } from '../../src/cluster/provider.js';
import type { ProcessControl, ProcessDescription } from '../../src/cluster/runtime.js';
import { proxiedLinkSpecs } from '../../src/cluster/kafka/kafka-node-config.js';
import { FaultInjector } from '../../src/faults/fault-injector.js';
import type { PlannedFault } from '../../src/faults/fault-plan.js';
import { seededRandom } from '../../src/faults/targets.js';
import type { Collector } from '../../src/metrics/collector.js';
import type { Link, ProxiedNetwork, ToxicSpec } from '../../src/net/proxied-network.js';
import { buildPlan } from '../../src/plan/plan.js';
import { parseScenario } from '../../src/scenario/load-scenario.js';

export function kafkaYaml(
  o: { brokers?: number; duration?: string; faults?: string; nemesis?: string; system?: string } = {},
): string {
  return `name: fault-unit
clusters:
  - {name: main, system: ${o.system ?? 'kafka'}${o.system === 'pulsar' ? ', driver: websocket' : `, brokers: ${o.brokers ?? 3}`}}
topics:
  - {name: t, partitions: 3${o.system === 'pulsar' ? '' : ', replicationFactor: 1'}}
workload: {warmup: 0s, duration: ${o.duration ?? '3s'}, rate: 100/s}
${o.faults ?? ''}
${o.nemesis ?? ''}
`;
}

export async function planned(yaml: string): Promise<PlannedFault[]> {
  return (await buildPlan(parseScenario(yaml, 'fault-unit.yaml'))).runs[0]!.faults;
}

/** The link set of an n-broker proxied Kafka cluster, as the provider builds it (fake ports). */
export function kafkaLinks(brokers: number): Link[] {
  const ports = Array.from({ length: brokers * (1 + 2 * brokers) }, (_, i) => 20_000 + i);
  return proxiedLinkSpecs(brokers, ports).map((s, i) => ({
    ...s,
    listenPort: 30_000 + i,
    name: `${s.kind}-${s.from}-to-${s.to}`,
  }));
}

/** One step of the fake's event loop: every promise continuation pending now runs. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((done) => setImmediate(done));
}

export class FakeNetwork {
  readonly enabled: Map<string, boolean>;
  readonly toxics = new Map<string, ToxicSpec & { link: string }>();
  readonly calls: string[] = [];
  /** Failures to inject: the next n enables (or disables after `disablesBeforeFailing`) throw. */
  failEnables = 0;
  disablesBeforeFailing = Infinity;
  failRemovals = 0;
  failReset = false;
  /** Each call takes this long on the mock clock. */
  callMs = 0;

  constructor(
    links: Link[],
    private readonly now: () => number,
  ) {
    this.enabled = new Map(links.map((l) => [l.name, true]));
  }

  asNetwork(): ProxiedNetwork {
    return this as unknown as ProxiedNetwork;
  }

  private async call(): Promise<void> {
    if (this.callMs > 0) await new Promise((done) => setTimeout(done, this.callMs));
  }

  async setEnabled(links: Link[], enabled: boolean): Promise<void> {
    this.calls.push(`${this.now()} ${enabled ? 'enable' : 'disable'} ${links.map((l) => l.name).join(',')}`);
    await this.call();
    for (const link of links) {
      if (enabled && this.failEnables > 0) {
        this.failEnables--;
        throw new Error(`toxiproxy: 500 enabling ${link.name}`);
      }
      if (!enabled && this.disablesBeforeFailing-- <= 0) throw new Error(`toxiproxy: 500 disabling ${link.name}`);
      this.enabled.set(link.name, enabled);
    }
  }

  async addToxic(faultId: string, links: Link[], toxic: ToxicSpec): Promise<void> {
    await this.call();
    for (const link of links)
      this.toxics.set(`${faultId}-${toxic.type}-${toxic.stream}@${link.name}`, { ...toxic, link: link.name });
  }

  async removeToxics(faultId: string): Promise<void> {
    await this.call();
    if (this.failRemovals > 0) {
      this.failRemovals--;
      throw new Error('Toxiproxy could not remove 1 toxic(s)');
    }
    for (const key of [...this.toxics.keys()]) if (key.startsWith(`${faultId}-`)) this.toxics.delete(key);
  }

  async healAll(): Promise<void> {
    this.calls.push(`${this.now()} reset`);
    if (this.failReset) throw new Error('toxiproxy: reset failed');
    for (const name of this.enabled.keys()) this.enabled.set(name, true);
    this.toxics.clear();
  }

  cut(): string[] {
    return [...this.enabled].filter(([, open]) => !open).map(([name]) => name);
  }
}

/**
 * A broker's process control, recording what was done to it as the JVM runtime's signals would be (kill SIGKILL,
 * stop SIGTERM, pause SIGSTOP, resume SIGCONT, start).
 */
export class FakeBroker implements ProcessControl {
  alive = true;
  paused = false;
  starts = 0;
  /** How long a graceful stop takes on the mock clock. */
  stopMs = 0;
  readonly signals: string[] = [];
  private exit!: Promise<number | null>;
  private exitNow!: () => void;

  constructor(
    readonly id: number,
    private readonly now: () => number,
  ) {
    this.spawn();
  }

  private spawn(): void {
    this.alive = true;
    this.paused = false;
    this.exit = new Promise((done) => (this.exitNow = () => done(null)));
  }

  get name(): string {
    return `broker-${this.id}`;
  }

  get running(): boolean {
    return this.alive;
  }

  describe(): ProcessDescription {
    return this.alive ? { pid: 1000 + this.id } : {};
  }

  logTail(): string[] {
    return [];
  }

  failureReason(): string {
    return 'fake broker';
  }

  get state(): 'down' | 'paused' | 'up' {
    return !this.alive ? 'down' : this.paused ? 'paused' : 'up';
  }

  async kill(): Promise<void> {
    this.signal('SIGKILL');
    await this.exit;
  }

  async pause(): Promise<void> {
    this.signal('SIGSTOP');
  }

  async resume(): Promise<void> {
    this.signal('SIGCONT');
  }

  private signal(signal: NodeJS.Signals): void {
    this.signals.push(`${this.now()} ${signal}`);
    if (!this.alive) return;
    if (signal === 'SIGKILL') {
      this.alive = false;
      this.paused = false;
      this.exitNow();
    } else if (signal === 'SIGSTOP') this.paused = true;
    else if (signal === 'SIGCONT') this.paused = false;
  }

  async start(): Promise<void> {
    if (this.alive) return;
    this.starts++;
    this.signals.push(`${this.now()} start`);
    this.spawn();
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    this.signals.push(`${this.now()} SIGTERM`);
    this.paused = false;
    if (this.stopMs > 0) await new Promise((done) => setTimeout(done, this.stopMs));
    this.alive = false;
    this.exitNow();
  }

  exited(): Promise<number | null> {
    return this.exit;
  }
}

export interface Bench {
  injector: FaultInjector;
  network: FakeNetwork;
  brokers: FakeBroker[];
  links: Link[];
  log: string[];
  watches: number[];
  now: () => number;
  /** Moves the mock clock to `ms`, one millisecond at a time, letting every continuation run. */
  advanceTo: (ms: number) => Promise<void>;
  /** The links touching broker `id` that are cut. */
  cutOf: (id: number) => string[];
}

/**
 * Starts an injector on `faults` over fake brokers and a fake network, on mock timers (call `mock.timers.reset()`
 * after, or use the test context's `t.mock`).
 */
export function bench(
  faults: PlannedFault[],
  o: {
    brokers?: number;
    leaderOf?: RunningCluster['leaderOf'];
    controller?: RunningCluster['controller'];
    withNetwork?: boolean;
    /** Fake MirrorMaker 2 processes, by the cluster each replicates into. */
    mirrorMakers?: ReadonlyMap<string, FakeBroker>;
    /** Fake brokers of other clusters of the run, by cluster. */
    peers?: ReadonlyMap<string, FakeBroker[]>;
  } = {},
): Bench {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const now = () => Date.now();
  const count = o.brokers ?? 3;
  const links = kafkaLinks(count);
  const network = new FakeNetwork(links, now);
  const brokers = Array.from({ length: count }, (_, i) => new FakeBroker(i + 1, now));
  const cluster = {
    spec: {} as RunningCluster['spec'],
    version: 'test',
    endpoints: { bootstrap: '' },
    brokers: [],
    processes: brokers.map((broker) => ({ id: broker.id, control: broker })),
    links,
    leaderOf: o.leaderOf ?? (async () => 1),
    controller: o.controller ?? (async () => 1),
    stop: async () => {},
  } satisfies RunningCluster;
  const watches: number[] = [];
  const collector = {
    recovery: {
      watch: (at: number) => watches.push(at) - 1,
      figures: () => ({ firstAckMs: null, throughputRecoveredMs: null, consumerResumedMs: null }),
    },
  } as unknown as Collector;
  const log: string[] = [];
  const injector = new FaultInjector(faults, cluster, {
    clock: now,
    collector,
    network: o.withNetwork === false ? undefined : network.asNetwork(),
    random: seededRandom(1),
    log: (line) => log.push(line),
    ...(o.mirrorMakers ? { mirrorMakers: o.mirrorMakers } : {}),
    ...(o.peers
      ? { peers: new Map([...o.peers].map(([name, list]) => [name, list.map((b) => ({ id: b.id, control: b }))])) }
      : {}),
  });
  injector.start();
  const advanceTo = async (ms: number) => {
    await flush();
    while (Date.now() < ms) {
      mock.timers.tick(1);
      await flush();
    }
  };
  const cutOf = (id: number) =>
    network.cut().filter((name) => links.some((l) => l.name === name && (l.to === id || l.from === id)));
  return { injector, network, brokers, links, log, watches, now, advanceTo, cutOf };
}
