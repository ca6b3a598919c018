/**
 * faultline's Pulsar driver vs Pulsar's own pulsar-perf (Maven Central artifacts), against the same local
 * standalone broker: max rate, 1 KiB messages, produce only. Prints both throughputs and faultline ÷ pulsar-perf.
 *
 *   npm run bench:pulsar [-- --seconds 20 --producers 2 --driver auto]
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { ProcessRegistry } from '../src/cluster/process-registry.js';
import type { RunningCluster } from '../src/cluster/provider.js';
import { localPulsarProvider, pulsarPerfClasspath } from '../src/cluster/pulsar/local-pulsar.js';
import { PulsarAdmin } from '../src/drivers/pulsar/pulsar-admin.js';
import { clusterSchema } from '../src/scenario/schema.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    producers: { type: 'string', default: '2' },
    driver: { type: 'string', default: 'auto' },
  },
});
const seconds = Number(values.seconds);
const cliPath = join(import.meta.dirname, '..', 'src', 'cli.js');
const work = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

const spec = clusterSchema.parse({ name: 'bench', system: 'pulsar' });
const registry = ProcessRegistry.open(`bench${process.pid}`, work);
const abort = new AbortController();
let cluster: RunningCluster | undefined;
process.on('SIGINT', () => abort.abort('SIGINT'));

try {
  cluster = await localPulsarProvider.start(spec, {
    runId: registry.runId,
    logDir: join(work, 'logs'),
    registry,
    signal: abort.signal,
    log: () => {},
    info: log,
  });
  const admin = new PulsarAdmin(cluster.endpoints, () => {});
  await admin.ensureTopics(
    ['faultline-bench', 'perf-bench'].map((name) => ({ name, partitions: 1, replicationFactor: 1, config: {} })),
  );

  const faultline = await runFaultline(cluster);
  const perf = await runPulsarPerf(cluster);
  process.stdout.write(
    [
      `Pulsar ${cluster.version} standalone, 1 topic, 1 KiB, max rate, ${seconds} s, produce only`,
      `faultline (${faultline.driver}, ${values.producers} producers): ${faultline.rate.toFixed(0)} msg/s`,
      `pulsar-perf (Java client):          ${perf.toFixed(0)} msg/s`,
      `ratio faultline ÷ pulsar-perf: ${(faultline.rate / perf).toFixed(3)}`,
      '',
    ].join('\n'),
  );
} finally {
  await cluster?.stop();
  registry.close();
}

async function runFaultline(target: RunningCluster): Promise<{ rate: number; driver: string }> {
  const scenario = join(work, 'faultline-bench.yaml');
  writeFileSync(
    scenario,
    `name: bench-max-rate
clusters: [{name: bench, system: pulsar, provider: external, bootstrap: "${target.endpoints.bootstrap}", webServiceUrl: "${target.endpoints.webServiceUrl}", driver: ${values.driver}}]
topics: [{name: faultline-bench, partitions: 1}]
workload: {warmup: 5s, duration: ${seconds}s, messageSize: 1KiB, rate: max, producers: ${values.producers}, consumers: 0}
`,
  );
  log('running faultline at max rate');
  const out = join(work, 'faultline-result');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, 'run', scenario, '--out', out, '--quiet'], { stdio: 'inherit' });
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`faultline exited ${code}`))));
  });
  const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as {
    throughput: { produced: { messagesPerSec: number } };
    driver: { name: string };
  };
  return { rate: result.throughput.produced.messagesPerSec, driver: result.driver.name };
}

async function runPulsarPerf(target: RunningCluster): Promise<number> {
  const classpath = await pulsarPerfClasspath(log);
  const conf = join(work, 'perf-client.conf');
  writeFileSync(conf, '');
  log(`running pulsar-perf for ${seconds + 5} s (5 s of it warm-up)`);
  const { stdout } = await promisify(execFile)(
    'java',
    [
      '-Xmx512m',
      '-cp',
      classpath.spec,
      'org.apache.pulsar.testclient.PulsarPerfTestTool',
      conf,
      'produce',
      '-u',
      target.endpoints.bootstrap,
      '-au',
      target.endpoints.webServiceUrl!,
      '-r',
      '10000000',
      '-s',
      '1024',
      '-time',
      String(seconds + 5),
      '--warmup-time',
      '5',
      'persistent://public/default/perf-bench',
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  writeFileSync(join(work, 'pulsar-perf.out'), stdout);
  const summary = /Aggregated throughput stats --- (\d+) records sent --- ([\d.,]+) msg\/s/.exec(stdout);
  if (!summary) throw new Error(`unexpected pulsar-perf output:\n${stdout.split('\n').slice(-20).join('\n')}`);
  return Number(summary[2]!.replace(/,/g, ''));
}
