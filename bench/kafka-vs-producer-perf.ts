/**
 * faultline's Kafka producer vs Kafka's own ProducerPerformance (same Maven artifacts), against the same local
 * broker: max rate, 1 KiB messages, acks=all. The two sides take turns (A B A B …, --pairs of them) so drift in
 * the machine's load hits both; prints each pair, the median ratio faultline ÷ Java and its spread. A side that
 * fails is said in one line and its pair left out of the median.
 *
 *   npm run bench:kafka [-- --driver platformatic|kafkajs --pairs 3 --seconds 20 --producers 2 --partitions 6
 *                          --max-batch 500 --batches 5 --cpu-prof DIR]
 *
 * --cpu-prof DIR writes a V8 CPU profile of the faultline run into DIR (open it in Chrome DevTools).
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { kafkaClasspath } from '../src/cluster/kafka/local-kafka.js';
import { kafkajsDriver } from '../src/drivers/kafka/kafkajs-driver.js';
import { lastLine, log, medianAndSpread, side, withLocalBroker } from './bench-cluster.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    producers: { type: 'string', default: '2' },
    partitions: { type: 'string', default: '6' },
    'max-batch': { type: 'string', default: '500' },
    batches: { type: 'string', default: '5' },
    'cpu-prof': { type: 'string' },
    driver: { type: 'string', default: 'platformatic' },
    pairs: { type: 'string', default: '3' },
  },
});
const driver = values.driver;
const pairs = Number(values.pairs);
/** ProducerPerformance's rate in its first run, which sizes every later run to about --seconds. */
let calibration: number | undefined;
const seconds = Number(values.seconds);
const partitions = Number(values.partitions);
const cliPath = join(import.meta.dirname, '..', 'src', 'cli.js');
let work = '';

await withLocalBroker('kafka', async ({ cluster, work: dir, signal }) => {
  work = dir;
  const admin = kafkajsDriver.createAdmin(cluster.endpoints, () => {});
  const topic = (name: string) => ({ name, partitions, replicationFactor: 1, config: {} });
  await admin.ensureTopics([topic('faultline-bench'), topic('java-bench')]);
  await admin.close();

  const version = cluster.version;
  const bootstrap = cluster.endpoints.bootstrap;
  const lines: string[] = [];
  const ratios: number[] = [];
  for (let pair = 1; pair <= pairs && !signal.aborted; pair++) {
    const faultline = await side(() => runFaultline(bootstrap));
    const java = await side(() => runProducerPerformance(bootstrap, version));
    const shown = (r: number | string) => (typeof r === 'number' ? `${r.toFixed(0)} msg/s` : `failed: ${r}`);
    let line = `pair ${pair}: faultline (${driver}) ${shown(faultline)}, ProducerPerformance ${shown(java)}`;
    if (typeof faultline === 'number' && typeof java === 'number') {
      ratios.push(faultline / java);
      line += `, ratio ${(faultline / java).toFixed(3)}`;
    }
    lines.push(line);
    log(line);
  }
  process.stdout.write(
    [
      `Kafka ${version}, 1 broker, ${partitions} partitions, 1 KiB, acks=all, max rate, ${seconds} s per side, A B interleaved`,
      ...lines,
      `ratio faultline ÷ Java: ${medianAndSpread(ratios, 3, pairs, 'pairs')}`,
      '',
    ].join('\n'),
  );
});

async function runFaultline(bootstrap: string): Promise<number> {
  const scenario = join(work, 'faultline-bench.yaml');
  writeFileSync(
    scenario,
    `name: bench-max-rate
clusters: [{name: bench, system: kafka, provider: external, bootstrap: "${bootstrap}", driver: ${driver}}]
topics: [{name: faultline-bench, partitions: ${partitions}}]
workload: {warmup: 5s, duration: ${seconds}s, messageSize: 1KiB, rate: max, producers: ${values.producers}, consumers: 0,
  maxBatch: ${values['max-batch']}, maxInFlightBatches: ${values.batches}, producer: {acks: all}}
`,
  );
  log('running faultline at max rate');
  const out = join(work, 'faultline-result');
  await new Promise<void>((resolve, reject) => {
    const profile = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [];
    const child = spawn(process.execPath, [...profile, cliPath, 'run', scenario, '--out', out, '--quiet'], {
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`faultline exited ${code}: ${lastLine(stderr)}`)),
    );
  });
  const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as {
    throughput: { produced: { messagesPerSec: number } };
  };
  return result.throughput.produced.messagesPerSec;
}

async function runProducerPerformance(bootstrap: string, version: string): Promise<number> {
  const classpath = await kafkaClasspath(version, log);
  const perf = async (records: number): Promise<number> => {
    const { stdout } = await promisify(execFile)(
      'java',
      [
        '-Xmx512m',
        '-cp',
        classpath.spec,
        'org.apache.kafka.tools.ProducerPerformance',
        '--topic',
        'java-bench',
        '--num-records',
        String(records),
        '--record-size',
        '1024',
        '--throughput',
        '-1',
        '--producer-props',
        `bootstrap.servers=${bootstrap}`,
        'acks=all',
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const summary = /(\d+) records sent, ([\d.]+) records\/sec/.exec(stdout.trim().split('\n').at(-1) ?? '');
    if (!summary) throw new Error(`unexpected ProducerPerformance output:\n${stdout}`);
    return Number(summary[2]);
  };
  if (calibration === undefined) {
    log('calibrating ProducerPerformance (also its JIT warm-up)');
    calibration = await perf(100_000);
  }
  log(`running ProducerPerformance for about ${seconds} s`);
  return perf(Math.max(100_000, Math.round(calibration * seconds)));
}
