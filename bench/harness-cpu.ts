/**
 * The harness's CPU per message against Kafka's own Java clients doing the same work, on one local broker: a fixed
 * rate (10 000 msg/s), 1 KiB, acks=all, every message produced and consumed. faultline (each --drivers driver, its
 * producers and consumers in its one process) and the Java side (ProducerPerformance --throughput plus a
 * ConsumerPerformance reading the same topic, from the cached Kafka jars) take turns: round after round, every side
 * once, so drift in the machine's load hits each. Each side gets a fresh topic.
 *
 * CPU is read from /proc (utime + stime of the client processes, never the broker's) every 200 ms and taken over
 * the same steady window on each side: from --warmup after the load starts (faultline: its "load started" line;
 * Java: the producer's launch) for --seconds. The JVMs compile their hot code (JIT) for about their first 15 s,
 * which a window starting 5 s in counts as per-message cost (Java measured 32–47 µs/msg from 5 s, 13–22 from
 * 15 s); hence the default --warmup 15. µs per message = CPU-seconds ÷ (rate × seconds); a side that did not
 * hold the rate (produced or consumed below 97 % of it) or failed says why in one line and is left out.
 * faultline's own figure (result.json `harness.cpuMicrosPerMessage`, from Node's counters) is shown beside it.
 *
 *   npm run bench:harness [-- --drivers kafkajs,platformatic --rounds 3 --rate 10000 --seconds 20 --warmup 15
 *                           --producers 2 --consumers 2 --partitions 6 --linger MS --java-linger LIST
 *                           --batch-size BYTES --cpu-prof DIR --baseline DIST]
 *
 * --baseline DIST also runs faultline from another build (a copy of an earlier dist/, inside this checkout so it
 * finds node_modules) as sides of their own, "DRIVER@base", in the same rounds: before and after on the same broker.
 *
 * --linger MS makes the producers wait up to MS ms to fill a request: Java's linger.ms, the platformatic driver's
 * `linger` (kafkajs has none); without it each side runs its defaults (Java 5 ms since Kafka 4.0, platformatic
 * its own default). --java-linger LIST runs one Java side per entry (`default` = linger.ms not set), e.g.
 * `default,5`, to compare the Java client with itself; ratios are taken against the first. --batch-size BYTES
 * pins Java's batch.size and the platformatic `batchSize` (else each its default: 16 KiB and 1 MiB).
 *
 * faultline runs --seconds + 2 s of measurement, so the CPU window (--seconds from the end of its warm-up) lies
 * wholly inside steady producing, with readings after it (the process exits soon after producing ends).
 * Each side's line also gives the machine's busy cores over its window (/proc/stat, every process): how much
 * else ran beside it.
 *
 * --cpu-prof DIR writes a V8 CPU profile of each faultline run into DIR (open it in Chrome DevTools).
 *
 * Batching is shown, not assumed: each side's line gives its producer's records per produce request and produce
 * requests per second, and each ratio says whether the two sides batched alike (records per request within a
 * quarter of each other). Java: ProducerPerformance --print-metrics (records-per-request-avg, batch-size-avg: the
 * client's windowed averages at the end of the run, its last 30–60 s); faultline: its platformatic producers count
 * their requests over the whole run and print them on close (FAULTLINE_PRODUCE_STATS=1; a baseline build older
 * than that reports none). At linger 0 they differ by design: ProducerPerformance's throttle (ThroughputThrottler)
 * lets the producer run ahead, then sleeps off the deficit once it reaches 2 ms, so its records reach the client in
 * bursts that its sender gathers; faultline sends each message when its schedule says it is due.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { kafkaClasspath } from '../src/cluster/kafka/local-kafka.js';
import type { RunningCluster } from '../src/cluster/provider.js';
import { kafkajsDriver } from '../src/drivers/kafka/kafkajs-driver.js';
import { clockTicksPerSecond, readProc } from '../src/resources/proc-readings.js';
import { lastLine, log, medianAndSpread, side, withLocalBroker } from './bench-cluster.js';

const { values } = parseArgs({
  options: {
    drivers: { type: 'string', default: 'kafkajs,platformatic' },
    rounds: { type: 'string', default: '3' },
    rate: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '15' },
    producers: { type: 'string', default: '2' },
    consumers: { type: 'string', default: '2' },
    partitions: { type: 'string', default: '6' },
    'cpu-prof': { type: 'string' },
    baseline: { type: 'string' },
    linger: { type: 'string' },
    'java-linger': { type: 'string' },
    'batch-size': { type: 'string' },
  },
});
/** --linger MS: the producers wait up to MS for more (Java linger.ms; faultline platformatic `linger`; kafkajs has none). */
const linger = values.linger === undefined ? undefined : Number(values.linger);
/** The Java sides: one per linger.ms (undefined: not set, the client's default); ratios against the first. */
const javaLingers: Array<number | undefined> = (
  values['java-linger'] ?? (linger === undefined ? 'default' : String(linger))
)
  .split(',')
  .filter(Boolean)
  .map((l) => (l === 'default' ? undefined : Number(l)));
const javaName = (l: number | undefined) => (javaLingers.length === 1 ? 'java' : `java@linger=${l ?? 'default'}`);
const batchSize = values['batch-size'] === undefined ? undefined : Number(values['batch-size']);
/** faultline measures this much longer than the CPU window, so readings exist after the window's end. */
const TAIL_SECONDS = 2;
/** faultline's sides: each driver from this build, and from the baseline build when given ("DRIVER@base"). */
const builds = [
  ...(values.baseline ? [{ suffix: '@base', cli: join(values.baseline, 'src', 'cli.js') }] : []),
  { suffix: '', cli: join(import.meta.dirname, '..', 'src', 'cli.js') },
];
const drivers = values.drivers
  .split(',')
  .filter(Boolean)
  .flatMap((driver) => builds.map((b) => ({ name: `${driver}${b.suffix}`, driver, cli: b.cli })));
const rounds = Number(values.rounds);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const warmup = Number(values.warmup);
const partitions = Number(values.partitions);
/** A side must produce and consume at least this share of the rate over the window. */
const HELD = 0.97;
let work = '';

/** One side's figures: CPU µs per message over the window, and what went into it. */
interface SideFigure {
  micros: number;
  detail: string;
  /** How the side's producer batched: records per produce request, and produce requests per second. */
  batching?: Batching;
}

/** Records per produce request and produce requests per second, as the side's own producer counted them. */
interface Batching {
  recordsPerRequest: number;
  requestsPerSec: number;
  /** Records per partition batch (Java: batch-size-avg ÷ the record's size on the wire, when known). */
  note: string;
}

await withLocalBroker('kafka', async ({ cluster, work: dir, signal }) => {
  work = dir;
  const version = cluster.version;
  const bootstrap = cluster.endpoints.bootstrap;
  const classpath = (await kafkaClasspath(version, log)).spec;
  const lines: string[] = [];
  const ratios = new Map<string, number[]>(drivers.map((d) => [d.name, []]));
  const javaSides = javaLingers.map((l) => ({ name: javaName(l), linger: l }));
  const perSide = new Map<string, number[]>(
    [...drivers.map((d) => d.name), ...javaSides.map((j) => j.name)].map((d) => [d, []]),
  );
  const recordsPerRequest = new Map<string, number[]>([...perSide.keys()].map((name) => [name, []]));
  for (let round = 1; round <= rounds && !signal.aborted; round++) {
    const figures = new Map<string, SideFigure | string>();
    for (const { name, driver, cli } of drivers)
      figures.set(
        name,
        await side(() => runFaultline(bootstrap, driver, cli, `hcpu-${name.replace('@', '-')}-${round}`)),
      );
    for (const j of javaSides)
      figures.set(
        j.name,
        await side(() => runJava(bootstrap, classpath, `hcpu-${j.name.replace(/[@=]/g, '-')}-${round}`, j.linger)),
      );
    const java = figures.get(javaSides[0]!.name);
    const shown = (f: SideFigure | string | undefined) =>
      typeof f === 'object'
        ? `${f.micros.toFixed(1)} µs/msg (${f.detail}; ${batchingSaid(f.batching)})`
        : `failed: ${f}`;
    const parts = [
      ...drivers.map((d) => `faultline ${d.name} ${shown(figures.get(d.name))}`),
      ...javaSides.map((j) => `${j.name === 'java' ? 'Java' : j.name} ${shown(figures.get(j.name))}`),
    ];
    for (const [name, f] of figures) if (typeof f === 'object') perSide.get(name)!.push(f.micros);
    for (const [name, f] of figures)
      if (typeof f === 'object' && f.batching) recordsPerRequest.get(name)!.push(f.batching.recordsPerRequest);
    for (const { name: driver } of drivers) {
      const f = figures.get(driver);
      if (typeof f === 'object' && typeof java === 'object') {
        ratios.get(driver)!.push(f.micros / java.micros);
        parts.push(
          `ratio ${driver} ${(f.micros / java.micros).toFixed(2)} (${batchingCompared(f.batching, java.batching)})`,
        );
      }
    }
    const line = `round ${round}: ${parts.join('; ')}`;
    lines.push(line);
    log(line);
  }
  const summary = (name: string, values: number[], digits: number) =>
    `${name}: ${medianAndSpread(values, digits, rounds, 'rounds')}`;
  const lingerSaid =
    linger === undefined ? "the clients' default linger (Java linger.ms 5 since Kafka 4.0)" : `linger ${linger} ms`;
  process.stdout.write(
    [
      `Kafka ${version}, 1 broker, ${partitions} partitions, ${rate} msg/s, 1 KiB, acks=all, compression none, CPU over ${seconds} s after ${warmup} s of warm-up; faultline ${values.producers} producers + ${values.consumers} consumers in one process, Java 1 ProducerPerformance + 1 ConsumerPerformance (Java linger.ms ${javaLingers.map((l) => l ?? 'default').join(', ')}); ${lingerSaid}, batch size ${batchSize ?? "each side's default"}; sides in turn`,
      ...lines,
      ...[...perSide].map(([name, v]) =>
        summary(
          `CPU µs per message, ${name.startsWith('java') ? `Java clients${name.slice(4)}` : `faultline ${name}`}`,
          v,
          1,
        ),
      ),
      ...[...recordsPerRequest]
        .filter(([, v]) => v.length > 0)
        .map(([name, v]) => summary(`records per produce request, ${name}`, v, 1)),
      ...[...ratios].map(([driver, v]) =>
        summary(`ratio faultline ${driver} ÷ ${javaSides[0]!.name} (goal ≤ 1.0)`, v, 2),
      ),
      '',
    ].join('\n'),
  );
});

/** faultline at the fixed rate; CPU of its process over the window after its "load started" line. */
async function runFaultline(bootstrap: string, driver: string, cliPath: string, topic: string): Promise<SideFigure> {
  const scenario = join(work, `${topic}.yaml`);
  writeFileSync(
    scenario,
    `name: bench-harness-cpu
clusters: [{name: bench, system: kafka, provider: external, bootstrap: "${bootstrap}", driver: ${driver}}]
topics: [{name: ${topic}, partitions: ${partitions}}]
workload: {warmup: ${warmup}s, duration: ${seconds + TAIL_SECONDS}s, messageSize: 1KiB, rate: ${rate}/s, producers: ${values.producers},
  consumers: ${values.consumers}, producer: {acks: all${driver === 'platformatic' ? platformaticKnobs() : ''}}}
`,
  );
  log(`faultline (${driver}) at ${rate} msg/s`);
  const out = join(work, `${topic}-result`);
  const profile = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [];
  const child = spawn(process.execPath, [...profile, cliPath, 'run', scenario, '--out', out], {
    stdio: ['ignore', 'ignore', 'pipe'],
    // The platformatic producer says on close how many produce requests it made (platformatic-producer.ts).
    env: { ...process.env, FAULTLINE_PRODUCE_STATS: '1' },
  });
  const cpu = watchCpu([child]);
  let loadStartedAt: number | undefined;
  let stderr = '';
  const requestLines: string[] = [];
  let partial = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) if (line.startsWith('faultline produce requests:')) requestLines.push(line);
    stderr = (stderr + chunk.toString()).slice(-8000);
    // The load clock starts 20 ms after this line (load-run.ts).
    if (loadStartedAt === undefined && /load started/.test(stderr)) loadStartedAt = performance.now() + 20;
  });
  let code: number | null;
  try {
    code = await exited(child);
  } finally {
    cpu.stop();
    killLeft([child]);
  }
  // Exit 1: the run's criteria failed (there are none here; the rates are checked below); else the run failed.
  if (code !== 0 && code !== 1) throw new Error(`faultline exited ${code}: ${lastLine(stderr)}`);
  if (loadStartedAt === undefined) throw new Error('faultline never said "load started"');
  const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as {
    throughput: { produced: { messagesPerSec: number }; consumed: { messagesPerSec: number } };
    harness?: { cpuMicrosPerMessage: number | null } | null;
    latency: { publish: { p50: number; p99: number } | null; endToEnd: { p50: number; p99: number } | null };
  };
  const { produced, consumed } = result.throughput;
  held('produced', produced.messagesPerSec);
  held('consumed', consumed.messagesPerSec);
  const from = loadStartedAt + warmup * 1000;
  const cpuSeconds = cpu.between(from, from + seconds * 1000);
  const self = result.harness?.cpuMicrosPerMessage;
  const { publish, endToEnd } = result.latency;
  const latency = `publish p50/p99 ${publish?.p50 ?? '—'}/${publish?.p99 ?? '—'} ms, end-to-end ${endToEnd?.p50 ?? '—'}/${endToEnd?.p99 ?? '—'} ms`;
  return {
    micros: (cpuSeconds / (rate * seconds)) * 1e6,
    detail: `${cpuSeconds.toFixed(2)} CPU-s; its own figure ${self ?? '—'} µs; ${latency}; ${machineBusy(cpu, from, from + seconds * 1000)}`,
    ...(requestLines.length > 0 ? { batching: faultlineBatching(requestLines) } : {}),
  };
}

/**
 * faultline's batching over its whole run, from each shared or idempotent producer's closing line: records per
 * produce request, and requests per second (each producer's requests over the time from its first to its last).
 */
function faultlineBatching(lines: string[]): Batching {
  let requests = 0;
  let records = 0;
  let batches = 0;
  let perSec = 0;
  for (const line of lines) {
    const m = /(\d+) requests, (\d+) records, (\d+) partition batches over ([\d.]+) s/.exec(line);
    if (!m) continue;
    requests += Number(m[1]);
    records += Number(m[2]);
    batches += Number(m[3]);
    if (Number(m[4]) > 0) perSec += Number(m[1]) / Number(m[4]);
  }
  return {
    recordsPerRequest: records / requests,
    requestsPerSec: perSec,
    note: `${(records / batches).toFixed(1)} records per partition batch, ${lines.length} client(s)`,
  };
}

/** "N records/request, R requests/s (…)", or why there is no figure. */
function batchingSaid(b: Batching | undefined): string {
  return b
    ? `${b.recordsPerRequest.toFixed(1)} records/request, ${b.requestsPerSec.toFixed(0)} requests/s, ${b.note}`
    : 'batching not reported';
}

/** Whether two sides batched alike: their records per request, within a quarter of each other. */
function batchingCompared(side: Batching | undefined, java: Batching | undefined): string {
  if (!side || !java) return 'batching not compared: a side did not report it';
  const r = side.recordsPerRequest / java.recordsPerRequest;
  const alike = r >= 0.8 && r <= 1.25;
  return `batching ${alike ? 'equal' : 'NOT equal'}: ${side.recordsPerRequest.toFixed(1)} vs ${java.recordsPerRequest.toFixed(1)} records/request, ×${r.toFixed(2)}`;
}

/** The platformatic producer's pinned batching, as scenario text. */
function platformaticKnobs(): string {
  return `${linger !== undefined ? `, linger: ${linger}ms` : ''}${batchSize !== undefined ? `, batchSize: ${batchSize}` : ''}`;
}

/** ConsumerPerformance on a fresh topic, then ProducerPerformance at the rate; CPU of both JVMs over the window. */
async function runJava(
  bootstrap: string,
  classpath: string,
  topic: string,
  javaLinger: number | undefined,
): Promise<SideFigure> {
  const admin = kafkajsDriver.createAdmin({ bootstrap } as RunningCluster['endpoints'], () => {});
  await admin.ensureTopics([{ name: topic, partitions, replicationFactor: 1, config: {} }]);
  await admin.close();
  // Enough records for the warm-up, the window and the JVM's start, so the window is all steady sending.
  const records = rate * (warmup + seconds + 5);
  log(`Java clients at ${rate} msg/s (linger.ms ${javaLinger ?? 'default'})`);
  const java = (main: string, args: string[]) =>
    spawn(
      'java',
      [
        // As Kafka's own scripts start the tools (kafka-run-class.sh).
        '-Xmx256m',
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-XX:InitiatingHeapOccupancyPercent=35',
        '-XX:+ExplicitGCInvokesConcurrent',
        '-Djava.awt.headless=true',
        '-cp',
        classpath,
        main,
        ...args,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
  const consumer = java('org.apache.kafka.tools.ConsumerPerformance', [
    '--bootstrap-server',
    bootstrap,
    '--topic',
    topic,
    '--messages',
    String(records),
    '--timeout',
    '30000',
    '--hide-header',
  ]);
  const producer = java('org.apache.kafka.tools.ProducerPerformance', [
    '--topic',
    topic,
    '--num-records',
    String(records),
    '--record-size',
    '1024',
    '--throughput',
    String(rate),
    '--producer-props',
    `bootstrap.servers=${bootstrap}`,
    'acks=all',
    'compression.type=none',
    ...(javaLinger === undefined ? [] : [`linger.ms=${javaLinger}`]),
    ...(batchSize === undefined ? [] : [`batch.size=${batchSize}`]),
    // After its summary line, the producer's metrics (records-per-request-avg, batch-size-avg, record-send-rate).
    '--print-metrics',
  ]);
  const startedAt = performance.now();
  const cpu = watchCpu([producer, consumer]);
  let outputs: string[];
  try {
    outputs = await Promise.all([collect(producer, 'ProducerPerformance'), collect(consumer, 'ConsumerPerformance')]);
  } finally {
    cpu.stop();
    killLeft([producer, consumer]);
  }
  const [producerOut, consumerOut] = outputs as [string, string];
  const summary = /(\d+) records sent, ([\d.]+) records\/sec \(/m.exec(producerOut);
  if (!summary) throw new Error(`unexpected ProducerPerformance output: ${lastLine(producerOut)}`);
  held('produced', Number(summary[2]));
  // start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, …
  const consumed = Number(consumerOut.trim().split('\n').at(-1)?.split(',')[4]);
  if (consumed !== records) throw new Error(`ConsumerPerformance consumed ${consumed} of ${records} records`);
  const from = startedAt + warmup * 1000;
  const producerCpu = cpu.between(from, from + seconds * 1000, 0);
  const consumerCpu = cpu.between(from, from + seconds * 1000, 1);
  return {
    micros: ((producerCpu + consumerCpu) / (rate * seconds)) * 1e6,
    detail: `producer ${producerCpu.toFixed(2)} + consumer ${consumerCpu.toFixed(2)} CPU-s; ${machineBusy(cpu, from, from + seconds * 1000)}`,
    ...javaBatching(producerOut),
  };
}

/**
 * The Java producer's batching, from --print-metrics: records-per-request-avg (records per produce request, as its
 * Sender counts them per node) and batch-size-avg (bytes per partition batch). Both are the client's windowed
 * averages (2 samples of 30 s) read at the end of the run, so they cover its last 30–60 s: nearly all of it.
 * Requests per second: the records' rate ÷ records per request (the rate held, checked above).
 */
function javaBatching(out: string): { batching?: Batching } {
  const metric = (name: string) => {
    const m = new RegExp(`^producer-metrics:${name}:\\{[^}]*\\}\\s*:\\s*([\\d.]+)`, 'm').exec(out);
    return m ? Number(m[1]) : undefined;
  };
  const perRequest = metric('records-per-request-avg');
  const batchBytes = metric('batch-size-avg');
  if (perRequest === undefined || !(perRequest > 0)) return {};
  return {
    batching: {
      recordsPerRequest: perRequest,
      requestsPerSec: rate / perRequest,
      note: `batch-size-avg ${batchBytes?.toFixed(0) ?? '—'} bytes per partition batch`,
    },
  };
}

/** Cumulative CPU-seconds of some processes, read from /proc every 200 ms with the monotonic time of the reading. */
function watchCpu(children: ChildProcess[]) {
  const readings: Array<{ at: number; cpu: number[]; machine: number }> = [];
  const read = () => {
    const at = performance.now();
    const cpu = children.map((c) => (c.pid === undefined ? undefined : readProc(c.pid)?.cpuSeconds));
    // Only readings of every process count: once one has ended, the window must already be over.
    if (cpu.every((c) => c !== undefined)) readings.push({ at, cpu: cpu as number[], machine: machineBusySeconds() });
  };
  read();
  const timer = setInterval(read, 200);
  return {
    stop: () => clearInterval(timer),
    /** CPU-seconds used in [from, to) by process `index` (or all; or the whole machine), interpolated between readings. */
    between(from: number, to: number, index?: number | 'machine'): number {
      const total = (x: (typeof readings)[number]) =>
        index === 'machine' ? x.machine : index === undefined ? x.cpu.reduce((s, c) => s + c, 0) : x.cpu[index]!;
      const at = (t: number) => {
        const after = readings.findIndex((x) => x.at >= t);
        if (after <= 0) throw new Error('the CPU readings do not cover the window (a process ended early?)');
        const a = readings[after - 1]!;
        const b = readings[after]!;
        return total(a) + ((total(b) - total(a)) * (t - a.at)) / (b.at - a.at);
      };
      return at(to) - at(from);
    },
  };
}

/** CPU-seconds the whole machine has been busy (every core, every process: /proc/stat less idle and iowait). */
function machineBusySeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return (user + nice + system + irq + softirq + steal) / clockTicksPerSecond();
}

/** "machine busy N cores" over the window: how much ran beside the side (the broker, other work). */
function machineBusy(cpu: ReturnType<typeof watchCpu>, from: number, to: number): string {
  return `machine busy ${(cpu.between(from, to, 'machine') / ((to - from) / 1000)).toFixed(2)} cores`;
}

/** Ends the processes a side started that still run (the side failed). */
function killLeft(children: ChildProcess[]): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

function held(what: string, perSecond: number): void {
  if (!(perSecond >= HELD * rate))
    throw new Error(`${what} ${perSecond.toFixed(0)} msg/s: did not hold ${rate} msg/s (${HELD * 100} %)`);
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
}

/** A tool's stdout once it exits 0; else an error whose message is the line that says why. */
async function collect(child: ChildProcess, name: string): Promise<string> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
  });
  const code = await exited(child);
  if (code !== 0) throw new Error(`${name} exited ${code}: ${lastLine(stderr || stdout)}`);
  return stdout;
}
