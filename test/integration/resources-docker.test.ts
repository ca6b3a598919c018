/**
 * Resource use of a broker in a container (provider docker), read from its cgroup: in one short run of a real Kafka
 * container, the test reads the container's own CPU account (cpuacct.usage, or cpu.stat on cgroup v2) every 50 ms
 * itself; after the run, the broker's figures are non-zero, marked as read from the cgroup, its CPU over the
 * sampler's window agrees with the test's reading of the same window within 10 %, and while `docker pause` froze
 * it, it used no CPU.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import { containersUnavailable, ownedContainers } from '../docker-helpers.js';
import { collect, readResult, startCli, tempDir, writeScenario } from '../helpers.js';

let skip: string | undefined;
before(async () => {
  skip = await containersUnavailable();
  if (skip) console.log(`# skipped: ${skip}`);
});

/** The running broker container a harness started (not its storage-format container, which runs first). */
function brokerContainer(harnessPid: number): string | undefined {
  const listing = execFileSync(
    'docker',
    ['ps', '--filter', `label=faultline.owner=${harnessPid}`, '--format', '{{.ID}} {{.Label "faultline.name"}}'],
    { encoding: 'utf8' },
  );
  const line = listing.split('\n').find((l) => l.trim() && !l.includes('format'));
  return line?.split(' ')[0];
}

/** The CPU account file of a container, found the plain way: its process's cgroup under the usual mounts. */
function cpuAccount(containerId: string): { file: string; perSecond: number } {
  const pid = execFileSync('docker', ['inspect', '-f', '{{.State.Pid}}', containerId], { encoding: 'utf8' }).trim();
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
  const v1 = lines.find((l) => /^\d+:([^:]*,)?cpuacct(,[^:]*)?:/.test(l));
  if (v1) return { file: `/sys/fs/cgroup/cpuacct${v1.split(':')[2]}/cpuacct.usage`, perSecond: 1e9 };
  const v2 = lines.find((l) => l.startsWith('0::'))!;
  return { file: `/sys/fs/cgroup${v2.slice(3)}/cpu.stat`, perSecond: 1e6 };
}

function usage(file: string): number | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    return Number(file.endsWith('cpu.stat') ? /^usage_usec (\d+)$/m.exec(text)?.[1] : text.trim());
  } catch {
    return undefined;
  }
}

/** CPU-seconds at wall time `atMs`, interpolated between the test's readings around it. */
function cpuAt(readings: Array<[number, number]>, atMs: number, perSecond: number): number {
  const after = readings.findIndex(([t]) => t >= atMs);
  assert.ok(after > 0, `the test's readings cover ${atMs} (from ${readings[0]?.[0]} to ${readings.at(-1)?.[0]})`);
  const [t0, c0] = readings[after - 1]!;
  const [t1, c1] = readings[after]!;
  return (c0 + ((c1 - c0) * (atMs - t0)) / Math.max(1, t1 - t0)) / perSecond;
}

test("a Kafka container's CPU comes from its cgroup: non-zero, within 10 % of the cgroup's own account, none while paused", async (t) => {
  if (skip) return t.skip(skip);
  const out = tempDir();
  const file = writeScenario(`name: resources-docker
clusters:
  - {name: main, system: kafka, provider: docker, heap: 512MiB}
topics:
  - {name: t, partitions: 2}
workload: {warmup: 2s, duration: 8s, rate: 1000/s, messageSize: 1KiB, producers: 2, consumers: 2, drainTimeout: 20s}
faults:
  - {at: 4500ms, action: pause, target: broker-1, duration: 2500ms}
criteria: [resources.brokers.cpu.mean > 0]
`);
  const child = startCli(['run', file, '--out', out]);
  const finished = collect(child, 150_000);
  let running = true;
  void finished.then(() => (running = false));
  const readings: Array<[number, number]> = [];
  let account: { file: string; perSecond: number } | undefined;
  let lastLook = 0;
  while (running) {
    const now = Date.now();
    if (account === undefined && now - lastLook >= 300) {
      lastLook = now;
      const id = brokerContainer(child.pid!);
      if (id) account = cpuAccount(id);
    }
    const used = account && usage(account.file);
    if (used !== undefined) readings.push([Date.now(), used]);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const run = await finished;
  assert.equal(run.code, 0, run.stderr + run.stdout);
  assert.ok(account, 'the test found the container');

  const r = readResult(out);
  assert.equal(r.resources.source, 'proc+cgroup');
  const broker = r.resources.processes.find((p: { name: string }) => p.name === 'main/broker-1');
  assert.equal(broker.source, 'cgroup');
  assert.equal(r.resources.processes.find((p: { name: string }) => p.name === 'harness').source, 'proc');
  const brokers = r.resources.brokers;
  assert.ok(brokers.cpu.mean > 0 && brokers.cpu.max >= brokers.cpu.mean, JSON.stringify(brokers));
  assert.ok(brokers.rssBytes.max > 50 * 1024 ** 2, `broker RSS ${brokers.rssBytes.max}`);
  assert.ok(brokers.cpuSecondsPerMillionMessages > 0);
  assert.equal(r.criteria[0].passed, true);

  // The broker's CPU over the sampler's whole window, against the test's own reading of the cgroup.
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
  const truth = cpuAt(readings, toMs, account.perSecond) - cpuAt(readings, fromMs, account.perSecond);
  assert.ok(
    Math.abs(sampled - truth) <= 0.1 * truth,
    `broker CPU over ${toMs - fromMs} ms: sampler ${sampled.toFixed(3)} s, cgroup ${truth.toFixed(3)} s`,
  );

  // docker pause freezes the cgroup: a second wholly inside the pause shows (next to) no CPU.
  const pause = r.faults.find((f: { action: string }) => f.action === 'pause');
  const frozen = r.resources.timeline.filter(
    (p: { tMs: number; ms: number }) => p.tMs - p.ms >= pause.injectedAt && p.tMs <= pause.healedAt,
  );
  assert.ok(frozen.length >= 1, `a tick inside the pause (${pause.injectedAt}–${pause.healedAt} ms)`);
  for (const p of frozen) assert.ok(p.processes['main/broker-1'].cpu < 0.02, `paused: ${JSON.stringify(p)}`);
  process.stdout.write(
    `# broker CPU over ${toMs - fromMs} ms: sampler ${sampled.toFixed(3)} s, cgroup ${truth.toFixed(3)} s; paused seconds ${frozen.map((p: { processes: Record<string, { cpu: number }> }) => p.processes['main/broker-1']!.cpu).join(', ')}; brokers ${JSON.stringify(brokers)}\n`,
  );
  assert.deepEqual(ownedContainers(child.pid!), [], 'no container of the run is left');
});
