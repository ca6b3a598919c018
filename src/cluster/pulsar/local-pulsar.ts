/**
 * A Pulsar standalone broker (metadata in RocksDB, BookKeeper in-process, functions worker and stream storage off,
 * WebSocket service on) on free 127.0.0.1 ports — every port it opens, its bookie's included, is bound to
 * 127.0.0.1 — from the official jars on Maven Central. The layout is the same wherever it runs: the standalone is a
 * `LaunchSpec` handed to the provider's runtime (`local`, the embedded default: a JVM on this machine).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PulsarAdmin } from '../../drivers/pulsar/pulsar-admin.js';
import type { Link } from '../../net/proxied-network.js';
import type { ClusterSpec } from '../../scenario/schema.js';
import { freePorts } from '../free-ports.js';
import { clusterStartupError, heapFlags } from '../jvm-process.js';
import { jvmRuntime } from '../jvm-runtime.js';
import { writeLog4j2Config } from '../jvm-logging.js';
import { ensureClasspath } from '../maven-artifacts.js';
import { renderProperties } from '../properties-file.js';
import type { ClusterEndpoints, ClusterProvider, ProviderContext, RunningCluster } from '../provider.js';
import { waitUntilServing } from '../readiness.js';
import type { LaunchSpec, ProcessControl, Runtime } from '../runtime.js';
import { checkPulsarConfig } from './pulsar-config-check.js';
import {
  DEFAULT_PULSAR_VERSION,
  PULSAR_JVM_OPENS,
  pulsarArtifacts,
  pulsarPerfArtifacts,
  PULSAR_PERF_VERSION,
} from './pulsar-distribution.js';
import { standaloneProperties } from './standalone-config.js';

const READY_TIMEOUT_MS = 180_000;

/** The artifact set (classpath name) of a Pulsar version: what a container runtime picks its image by. */
export function pulsarArtifactSet(version: string): string {
  return `pulsar-${version}`;
}

export function pulsarClasspath(version: string, log: (line: string) => void) {
  return ensureClasspath(pulsarArtifactSet(version), pulsarArtifacts(version), log);
}

export function pulsarPerfClasspath(log: (line: string) => void) {
  return ensureClasspath(`pulsar-perf-${PULSAR_PERF_VERSION}`, pulsarPerfArtifacts(), log);
}

/** The loopback interface's name (the bookie binds the address of the interface it is given). */
function loopbackInterface(): string {
  const found = Object.entries(networkInterfaces()).find(([, addresses]) =>
    addresses?.some((a) => a.internal && a.address === '127.0.0.1'),
  );
  return found?.[0] ?? 'lo';
}

/**
 * The proxies of a standalone: with client regions, each region's path to the web service (admin, WebSocket API)
 * and to the binary port the broker binds for it (`regionPorts[k]` for region k); without, one path to the web
 * service and one to the binary port the broker binds for every client (`regionPorts[0]`).
 */
export function pulsarLinkSpecs(
  ports: { web: number; regionPorts: number[] },
  clientRegions: string[] | undefined,
): Array<Omit<Link, 'listenPort' | 'name'>> {
  const paths = (clientRegion: string | undefined, k: number) => [
    { kind: 'client' as const, from: 'clients' as const, to: 1, upstreamPort: ports.web, ...inRegion(clientRegion) },
    {
      kind: 'client' as const,
      from: 'clients' as const,
      to: 1,
      upstreamPort: ports.regionPorts[k]!,
      ...inRegion(clientRegion),
      service: 'binary',
    },
  ];
  return clientRegions ? clientRegions.flatMap(paths) : paths(undefined, 0);
}

const inRegion = (clientRegion: string | undefined) => (clientRegion !== undefined ? { clientRegion } : {});

/** The proxy a client in `clientRegion` reaches `service` through. */
export function pulsarPath(
  links: Link[],
  clientRegion: string | undefined,
  service: 'web' | 'binary',
): Link | undefined {
  return links.find((l) => l.clientRegion === clientRegion && (l.service ?? 'web') === service);
}

/** How a client in `clientRegion` (undefined: without regions) reaches the standalone: its region's proxies. */
export function pulsarEndpoints(
  links: Link[] | undefined,
  ports: { broker: number; web: number },
  clientRegion: string | undefined,
): ClusterEndpoints {
  const path = (service: 'web' | 'binary') => (links ? pulsarPath(links, clientRegion, service) : undefined);
  return {
    bootstrap: `pulsar://127.0.0.1:${path('binary')?.listenPort ?? ports.broker}`,
    webServiceUrl: `http://127.0.0.1:${path('web')?.listenPort ?? ports.web}`,
  };
}

/** The standalone's process: PulsarStandaloneStarter on its standalone.conf, its data in `dataDir`. */
export function pulsarStandaloneSpec(o: {
  name: string;
  version: string;
  classpath: string;
  configFile: string;
  bookiePort: number;
  dataDir: string;
  logging: string;
  heap: number | undefined;
  outputFile: string;
  logFile: string;
  paths: string[];
}): LaunchSpec {
  return {
    name: o.name,
    mainClass: 'org.apache.pulsar.PulsarStandaloneStarter',
    args: [
      '--config',
      o.configFile,
      '--no-functions-worker',
      '--no-stream-storage',
      '--bookkeeper-port',
      String(o.bookiePort),
      '--bookkeeper-dir',
      join(o.dataDir, 'bookkeeper'),
      '--metadata-dir',
      join(o.dataDir, 'metadata'),
    ],
    jvmArgs: [
      ...heapFlags(o.heap),
      '-XX:MaxDirectMemorySize=1g',
      '-XX:+UseG1GC',
      '-Djava.awt.headless=true',
      '-Dpulsar.allocator.exit_on_oom=true',
      ...PULSAR_JVM_OPENS,
      o.logging,
    ],
    classpath: o.classpath,
    artifacts: pulsarArtifactSet(o.version),
    outputFile: o.outputFile,
    logFile: o.logFile,
    paths: o.paths,
  };
}

/** Pulsar standalones that run on `runtime`, registered as provider `name`. */
export function pulsarProvider(o: { name: ClusterProvider['name']; runtime: Runtime }): ClusterProvider {
  const { runtime } = o;
  return {
    name: o.name,
    system: 'pulsar',
    defaultVersion: DEFAULT_PULSAR_VERSION,
    runtime,
    controls: { processes: true, links: true },

    async prepare(version, log) {
      await runtime.requireReady();
      await pulsarClasspath(version, log);
    },

    async checkConfig(spec, _topics, log) {
      // Topic config on Pulsar is refused by the plan (no topic policies yet); the broker's is checked here.
      if (Object.keys(spec.config).length === 0) return [];
      const version = spec.version ?? DEFAULT_PULSAR_VERSION;
      return checkPulsarConfig(version, await pulsarClasspath(version, log), spec);
    },

    async start(spec: ClusterSpec, context: ProviderContext): Promise<RunningCluster> {
      await runtime.requireReady();
      const version = spec.version ?? DEFAULT_PULSAR_VERSION;
      const classpath = await pulsarClasspath(version, context.info);
      const dataDir = await mkdtemp(join(tmpdir(), `faultline-${context.runId}-${spec.name}-`));
      context.registry.addCleanupDir(dataDir);
      // With a network, clients reach the web service (admin and WebSocket API) and the binary port through
      // proxies: with regions, each client region through its own; without, every client through one. The broker
      // binds one port per such path whose listener advertises that path's proxy (standalone-config.ts), so a
      // lookup made through a proxy answers with it and the client (or a peer's geo-replicator) stays on that path.
      const clientRegions = context.network ? context.regions?.clientRegions : undefined;
      const binaryPaths: Array<string | undefined> = context.network ? (clientRegions ?? [undefined]) : [];
      const [broker, web, bookie, ...regionPorts] = (await freePorts(3 + binaryPaths.length)) as [
        number,
        number,
        number,
        ...number[],
      ];
      const name = `${spec.name}-broker-1`;
      const configDir = join(context.logDir, name);
      await mkdir(configDir, { recursive: true });
      const links = context.network
        ? await context.network.addLinks(pulsarLinkSpecs({ web, regionPorts }, clientRegions))
        : undefined;
      const pathOf = (clientRegion: string | undefined, service: 'web' | 'binary') =>
        links && pulsarPath(links, clientRegion, service);
      const clientListeners = binaryPaths.map((region, k) => ({
        region,
        port: regionPorts[k]!,
        advertisedPort: pathOf(region, 'binary')!.listenPort,
      }));
      const endpointsOf = (clientRegion: string | undefined) => pulsarEndpoints(links, { broker, web }, clientRegion);
      const endpoints = endpointsOf(clientRegions?.[0]);
      const endpointsByRegion = clientRegions
        ? Object.fromEntries(clientRegions.map((region) => [region, endpointsOf(region)]))
        : undefined;
      const configFile = join(configDir, 'standalone.conf');
      const properties = standaloneProperties(spec.name, { broker, web, bookie }, spec.config, {
        clientListeners,
        loopbackInterface: loopbackInterface(),
      });
      await writeFile(configFile, renderProperties(properties));
      const logFile = join(context.logDir, `${name}.log`);
      const logging = await writeLog4j2Config(configDir, logFile);
      const outputFile = join(context.logDir, `${name}.out`);
      let standalone: ProcessControl | undefined;
      const stop = async () => {
        await standalone?.stop(15_000);
        await rm(dataDir, { recursive: true, force: true });
      };
      try {
        standalone = await runtime.launch(
          pulsarStandaloneSpec({
            name,
            version,
            classpath: classpath.spec,
            configFile,
            bookiePort: bookie,
            dataDir,
            logging,
            heap: spec.heap,
            outputFile,
            logFile,
            paths: [configDir, dataDir, context.logDir],
          }),
          context.registry,
        );
        const cluster: RunningCluster = {
          spec,
          version,
          endpoints,
          brokers: [{ id: 1, host: '127.0.0.1', port: broker }],
          processes: [{ id: 1, control: standalone }],
          ...(links ? { links } : {}),
          ...(endpointsByRegion ? { endpointsByRegion } : {}),
          leaderOf: async () => 1,
          controller: async () => 1,
          stop,
        };
        context.info(
          `starting Pulsar ${version} standalone at ${endpoints.bootstrap} (web ${endpoints.webServiceUrl})`,
        );
        await waitUntilServing(
          new PulsarAdmin(endpoints, context.log),
          [standalone],
          1,
          READY_TIMEOUT_MS,
          context.signal,
        );
        return cluster;
      } catch (error) {
        await stop();
        throw clusterStartupError(spec.name, context, error);
      }
    },
  };
}

/** The embedded default: the standalone as a JVM on this machine. */
export const localPulsarProvider: ClusterProvider = pulsarProvider({ name: 'local', runtime: jvmRuntime });
