/**
 * Resource use and the live view against a real Kafka broker behind Toxiproxy, in one short run: while the CLI runs with
 * --metrics-port, the test scrapes the endpoint and reads the broker's /proc/PID/stat itself every 50 ms; after
 * the run, result.json's resource figures are non-zero, and the broker's CPU-seconds over the sampler's window
 * agree with the test's own /proc reading of the same window within 10 %.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { freePorts } from '../../src/cluster/free-ports.js';
import {
  collect,
  expectNoProcessLeftAfterEach,
  kafkaScenario,
  readResult,
  startCli,
  tempDir,
  writeScenario,
} from '../helpers.js';

expectNoProcessLeftAfterEach();

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** The broker JVM this CLI process started (its command line carries -Dfaultline.owner=PID). */
function brokerPid(ownerPid: number): number | undefined {
  const listing = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  const line = listing.split('\n').find((l) => l.includes(`faultline.owner=${ownerPid}`) && l.includes('kafka.Kafka'));
  return line ? Number(line.trim().split(/\s+/)[0]) : undefined;
}

function ticksOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** The broker's CPU-seconds at wall time `atMs`, interpolated between the test's readings around it. */
function cpuAt(readings: Array<[number, number]>, atMs: number): number {
  const after = readings.findIndex(([t]) => t >= atMs);
  assert.ok(after > 0, `the test's /proc readings cover ${atMs} (from ${readings[0]?.[0]} to ${readings.at(-1)?.[0]})`);
  const [t0, c0] = readings[after - 1]!;
  const [t1, c1] = readings[after]!;
  return (c0 + ((c1 - c0) * (atMs - t0)) / Math.max(1, t1 - t0)) / CLK_TCK;
}

test('a real run: the live endpoint counts messages as they go; resource figures are non-zero and the broker CPU agrees with /proc', async () => {
  const out = tempDir();
  const [port] = (await freePorts(1)) as [number];
  // A latency toxic for 3 s: the clients' link goes through Toxiproxy (a third sampled process), and the live
  // view has a fault in force to show.
  const file = writeScenario(
    kafkaScenario({
      warmup: '2s',
      duration: '8s',
      rate: '2000/s',
      criteria: ['resources.brokers.cpu.mean > 0'],
    }).replace(
      'criteria:',
      'faults:\n  - {at: 4s, action: latency, target: all, links: all, latency: 5ms, duration: 3s}\ncriteria:',
    ),
  );
  const child = startCli(['run', file, '--out', out, '--metrics-port', String(port)]);
  const finished = collect(child, 150_000);
  let running = true;
  void finished.then(() => (running = false));
  const readings: Array<[number, number]> = [];
  const scrapes: string[] = [];
  let pid: number | undefined;
  let lastScrape = 0;
  let lastPs = 0;
  while (running) {
    const now = Date.now();
    if (pid === undefined && now - lastPs >= 300) {
      lastPs = now;
      pid = brokerPid(child.pid!);
    }
    if (pid !== undefined) {
      const ticks = ticksOf(pid);
      if (ticks !== undefined) readings.push([Date.now(), ticks]);
    }
    if (now - lastScrape >= 500) {
      lastScrape = now;
      const text = await fetch(`http://127.0.0.1:${port}/metrics`)
        .then((r) => r.text())
        .catch(() => '');
      if (text) scrapes.push(text);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const run = await finished;
  assert.equal(run.code, 0, run.stderr + run.stdout);
  assert.match(run.stderr, new RegExp(`live metrics: http://127\\.0\\.0\\.1:${port}/metrics`));

  // The live view: produced counts above zero while the run went on, and the broker's CPU beside them.
  const acked = scrapes.map((s) =>
    Number(/^faultline_messages_acked_total\{cluster="main"\} (\d+)$/m.exec(s)?.[1] ?? 0),
  );
  assert.ok(Math.max(...acked) > 0, `some scrape saw acked messages (${scrapes.length} scrapes)`);
  assert.ok(
    scrapes.some((s) =>
      /^faultline_process_cpu_cores\{cluster="main",process="main\/broker-1",kind="broker"\} [\d.]+$/m.test(s),
    ),
    'the broker CPU is in the live view',
  );
  assert.ok(
    scrapes.some((s) => /^faultline_fault_in_force\{cluster="main",fault="[^"]+",action="latency",[^}]*\} 1$/m.test(s)),
    'some scrape saw the latency fault in force',
  );

  // The figures: non-zero, the criterion judged on them.
  const r = readResult(out);
  const brokers = r.resources.brokers;
  assert.ok(brokers.cpu.mean > 0 && brokers.cpu.max >= brokers.cpu.mean, JSON.stringify(brokers));
  assert.ok(brokers.rssBytes.max > 50 * 1024 ** 2, `broker RSS ${brokers.rssBytes.max}`);
  assert.ok(brokers.diskWrittenBytes > 0, `broker wrote ${brokers.diskWrittenBytes} bytes`);
  assert.ok(brokers.cpuSecondsPerMillionMessages > 0);
  assert.ok(r.resources.harness.cpu.mean > 0 && r.resources.harness.rssBytes.max > 0);
  assert.ok(
    r.harness.cpuMicrosPerMessage > 0 && r.harness.cpuSeconds === r.resources.harness.cpuSeconds,
    'harness cost',
  );
  assert.ok(r.resources.toxiproxies.cpu.mean > 0 && r.resources.toxiproxies.rssBytes.max > 0, 'Toxiproxy sampled');
  assert.equal(r.resources.mirrorMakers, null, 'no MirrorMaker ran');
  assert.equal(r.criteria[0].passed, true);

  // The broker's CPU over the sampler's whole window, against the test's own /proc readings of that window.
  const broker = r.resources.processes.find((p: { name: string }) => p.name === 'main/broker-1');
  assert.deepEqual(broker.pids, [pid]);
  const points = r.resources.timeline.filter(
    (p: { processes: Record<string, unknown> }) => p.processes['main/broker-1'],
  );
  assert.equal(points.length, r.resources.timeline.length, 'the broker was measured at every tick');
  const sampled = points.reduce(
    (total: number, p: { ms: number; processes: Record<string, { cpu: number }> }) =>
      total + (p.processes['main/broker-1']!.cpu * p.ms) / 1000,
    0,
  );
  const fromMs = points[0].atMs - points[0].ms;
  const toMs = points.at(-1).atMs;
  const truth = cpuAt(readings, toMs) - cpuAt(readings, fromMs);
  assert.ok(
    Math.abs(sampled - truth) <= 0.1 * truth,
    `broker CPU over ${toMs - fromMs} ms: sampler ${sampled.toFixed(3)} s, /proc ${truth.toFixed(3)} s`,
  );
  process.stdout.write(
    `# broker CPU over ${toMs - fromMs} ms: sampler ${sampled.toFixed(3)} s, /proc ${truth.toFixed(3)} s; figures ${JSON.stringify({ brokers, harness: r.resources.harness, toxiproxies: r.resources.toxiproxies })}\n`,
  );
});
