import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type ProcessReading,
  parseIo,
  parseStatTicks,
  parseStatusRss,
  readProc,
} from '../../src/resources/proc-readings.js';
import { resourceUse } from '../../src/resources/resource-figures.js';
import { ResourceSampler, type SampledProcess } from '../../src/resources/resource-sampler.js';

// Real lines from a Kafka broker's /proc on Linux 6.x (the JVM's comm is "java"; a thread name may hold ") (").
const STAT =
  '41234 (java) S 41200 41200 41200 0 -1 1077936384 120934 0 12 0 1523 377 0 0 20 0 58 0 9823411 3881123840 98765 18446744073709551615 1 1 0 0 0 0 0 2 16800972 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0';
const STAT_ODD_NAME =
  '777 (my (odd) proc) R 1 777 777 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 1000 100000 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0';
const STATUS = `Name:\tjava
Umask:\t0022
State:\tS (sleeping)
Tgid:\t41234
VmPeak:\t 3912340 kB
VmSize:\t 3790160 kB
VmHWM:\t  401236 kB
VmRSS:\t  395060 kB
RssAnon:\t  360000 kB
Threads:\t58
`;
const IO = `rchar: 48822134
wchar: 104857600
syscr: 9012
syscw: 25600
read_bytes: 4096
write_bytes: 104869888
cancelled_write_bytes: 0
`;

test('/proc/PID/stat: utime + stime in ticks, whatever the command name holds', () => {
  assert.equal(parseStatTicks(STAT), 1523 + 377);
  assert.equal(parseStatTicks(STAT_ODD_NAME), 250 + 50);
  assert.throws(() => parseStatTicks('garbage'), /not a \/proc\/PID\/stat line/);
});

test('/proc/PID/status: VmRSS in bytes; a zombie without VmRSS has none', () => {
  assert.equal(parseStatusRss(STATUS), 395060 * 1024);
  assert.equal(parseStatusRss('Name:\tjava\nState:\tZ (zombie)\n'), 0);
});

test('/proc/PID/io: read_bytes and write_bytes (the storage layer, not rchar/wchar)', () => {
  assert.deepEqual(parseIo(IO), { readBytes: 4096, writeBytes: 104869888 });
  assert.throws(() => parseIo('rchar: 1\n'), /no read_bytes/);
});

test('readProc reads this very process, and says undefined for a pid that does not exist', () => {
  const self = readProc(process.pid);
  assert.ok(self && self.cpuSeconds > 0 && self.rssBytes > 0);
  assert.equal(readProc(2 ** 30), undefined);
});

/** A fake clock and readings: what /proc would say at each tick. */
function fixture(readings: Array<Record<string, [number, ProcessReading] | undefined>>) {
  let tick = 0;
  let now = 0;
  const processes: SampledProcess[] = [
    { name: 'main/broker-1', kind: 'broker', pid: () => readings[tick]!['main/broker-1']?.[0] },
    { name: 'main/broker-2', kind: 'broker', pid: () => readings[tick]!['main/broker-2']?.[0] },
    { name: 'harness', kind: 'harness', pid: () => 1 },
  ];
  const sampler = new ResourceSampler(processes, () => now, {
    read: (p) => readings[tick]![p.name]?.[1] ?? { cpuSeconds: tick * 0.5, rssBytes: 100, readBytes: 0, writeBytes: 0 },
  });
  sampler.start();
  sampler.stop(); // no timer: the test ticks by hand
  return {
    sampler,
    advance: () => {
      tick++;
      now += 1000;
      return sampler.tick();
    },
  };
}

const r = (cpuSeconds: number, writeBytes = 0, rssBytes = 1000): ProcessReading => ({
  cpuSeconds,
  rssBytes,
  readBytes: 0,
  writeBytes,
});

test('the sampler: cores per interval, a restarted broker followed to its new pid, a dead one unmeasured', () => {
  const { sampler, advance } = fixture([
    { 'main/broker-1': [10, r(5)], 'main/broker-2': [20, r(1)] },
    { 'main/broker-1': [10, r(5.8, 4096)], 'main/broker-2': [20, r(1.2)] },
    { 'main/broker-1': [10, r(6.6, 8192)], 'main/broker-2': undefined }, // broker 2 killed
    { 'main/broker-1': [10, r(7.0, 8192)], 'main/broker-2': [21, r(0.9)] }, // restarted: new pid
  ]);
  let p = advance();
  assert.equal(p.processes['main/broker-1']!.cpu.toFixed(3), '0.800');
  assert.equal(p.processes['main/broker-1']!.writeBytes, 4096);
  assert.equal(p.processes['main/broker-2']!.cpu.toFixed(3), '0.200');
  assert.equal(p.processes.harness!.cpu, 0.5);
  p = advance();
  assert.equal(p.processes['main/broker-2'], null, 'not running at the tick: unmeasured');
  p = advance();
  assert.equal(p.processes['main/broker-2']!.cpu.toFixed(3), '0.900', 'a new process: all it used so far');
  assert.equal(p.processes['main/broker-1']!.writeBytes, 0);
  const samples = sampler.samples();
  assert.deepEqual(
    samples.processes.map((s) => [s.name, s.pids]),
    [
      ['main/broker-1', [10]],
      ['main/broker-2', [20, 21]],
      ['harness', [1]],
    ],
  );
  assert.deepEqual(
    samples.timeline.map((t) => [t.tMs, t.ms]),
    [
      [1000, 1000],
      [2000, 1000],
      [3000, 1000],
    ],
  );
});

test('the summary: brokers summed per second, the window excludes warm-up, CPU-seconds per million messages', () => {
  const { sampler, advance } = fixture([
    { 'main/broker-1': [10, r(0)], 'main/broker-2': [20, r(0)] },
    { 'main/broker-1': [10, r(2, 1000, 5000)], 'main/broker-2': [20, r(2, 0, 7000)] }, // warm-up [0, 1 s): 4 cores
    { 'main/broker-1': [10, r(2.5, 3000, 6000)], 'main/broker-2': [20, r(2.5, 0, 7000)] }, // 1 core
    { 'main/broker-1': [10, r(3.5, 3000, 6000)], 'main/broker-2': [20, r(2.5, 500, 8000)] }, // 1 core
  ]);
  advance();
  advance();
  advance();
  const use = resourceUse(sampler.samples(), { fromMs: 1000, toMs: 3000 }, 2000);
  assert.deepEqual(use.brokers!.cpu, { mean: 1, max: 1 });
  assert.equal(use.brokers!.cpuSeconds, 2);
  assert.equal(use.brokers!.rssBytes.max, 14_000);
  assert.equal(use.brokers!.diskWrittenBytes, 2500);
  assert.equal(use.brokers!.cpuSecondsPerMillionMessages, 500, '1 core ÷ 2000 msg/s × 10⁶');
  assert.equal(use.brokers!.samples, 2);
  assert.equal(use.mirrorMakers, null, 'no MirrorMaker ran');
  const b1 = use.processes.find((p) => p.name === 'main/broker-1')!;
  assert.deepEqual(b1.cpu, { mean: 0.75, max: 1 });
  assert.equal(use.harness!.cpu.mean, 0.5);
});

test('the summary: an interval half in the window counts by half; no reading at all is null, never 0', () => {
  const { sampler, advance } = fixture([
    { 'main/broker-1': [10, r(0, 0)], 'main/broker-2': undefined },
    { 'main/broker-1': [10, r(1, 1000)], 'main/broker-2': undefined },
    { 'main/broker-1': [10, r(3, 3000)], 'main/broker-2': undefined },
  ]);
  advance();
  advance();
  const use = resourceUse(sampler.samples(), { fromMs: 500, toMs: 2000 }, null);
  const b1 = use.processes.find((p) => p.name === 'main/broker-1')!;
  assert.equal(b1.cpuSeconds, 0.5 + 2);
  assert.equal(b1.diskWrittenBytes, 500 + 2000);
  assert.equal(b1.cpu.max, 2);
  assert.equal(b1.cpuSecondsPerMillionMessages, null, 'nothing produced: no per-message figure');
  const b2 = use.processes.find((p) => p.name === 'main/broker-2')!;
  assert.deepEqual(b2.cpu, { mean: null, max: null });
  assert.equal(b2.unmeasured, 2);
});

test('report.md: a row per kind that ran, and per process when there are several', async () => {
  const { resourcesTable } = await import('../../src/resources/resource-table.js');
  const { sampler, advance } = fixture([
    { 'main/broker-1': [10, r(0)], 'main/broker-2': [20, r(0)] },
    { 'main/broker-1': [10, r(1, 2 * 1024 ** 2, 300 * 1024 ** 2)], 'main/broker-2': [20, r(0.5)] },
  ]);
  advance();
  const resources = resourceUse(sampler.samples(), { fromMs: 0, toMs: 1000 }, 1000);
  const table = resourcesTable({ resources } as Parameters<typeof resourcesTable>[0]);
  assert.match(table, /^### Resource use/);
  assert.match(table, /\| \*\*all brokers\*\* \| 1\.5 \| 1\.5 \| 300(\.\d+)?MiB \| 2MiB \| 0B \| 1500 \|/);
  assert.match(table, /\| \*\*harness \(faultline\)\*\* \| 0\.5 \|/);
  assert.match(table, /\| main\/broker-1 \| 1 \| 1 \|/);
  assert.doesNotMatch(table, /MirrorMaker|Toxiproxy/, 'kinds that did not run have no row');
  assert.equal(resourcesTable({} as Parameters<typeof resourcesTable>[0]), '', 'no resources: no table');
});

test('criteria on resources: parsed with their units; refused at validate for processes the run never starts', async () => {
  const { parseCriterion } = await import('../../src/criteria/criterion.js');
  const { buildPlan } = await import('../../src/plan/plan.js');
  const { parseScenario } = await import('../../src/scenario/load-scenario.js');
  assert.equal(parseCriterion('resources.brokers.cpu.max < 1.5').threshold, 1.5);
  assert.equal(parseCriterion('resources.brokers.rssBytes.max < 2GiB').threshold, 2 * 1024 ** 3);
  assert.throws(() => parseCriterion('resources.brokers.rssBytes.max < lots'), /needs a size such as 512MiB/);
  assert.throws(
    () => parseCriterion('resources.broker.cpu.max < 1'),
    /unknown metric .*did you mean "resources\.brokers\.cpu\.max"/,
  );
  const scenario = (criteria: string[]) => `name: r
clusters: [{name: main, system: kafka}]
topics: [{name: t, partitions: 1, replicationFactor: 1}]
workload: {duration: 5s, rate: 100/s}
criteria: ${JSON.stringify(criteria)}
`;
  const plan = await buildPlan(
    parseScenario(scenario(['resources.brokers.cpu.max < 1.5', 'resources.harness.cpu.mean < 0.9'])),
  );
  assert.equal(plan.criteria.length, 2);
  await assert.rejects(
    buildPlan(parseScenario(scenario(['resources.mirrorMakers.cpu.max < 1', 'resources.toxiproxies.cpu.mean < 1']))),
    (error: Error) =>
      /criteria\[0\]: "resources\.mirrorMakers" would never be measured/.test(error.message) &&
      /criteria\[1\]: "resources\.toxiproxies" would never be measured/.test(error.message),
  );
});
