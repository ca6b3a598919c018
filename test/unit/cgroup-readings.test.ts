import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  cgroupCpu,
  cpuUsageFile,
  parseCgroupMounts,
  parseCpuUsage,
  parseProcCgroup,
  readCgroup,
} from '../../src/resources/cgroup-readings.js';
import { ResourceSampler } from '../../src/resources/resource-sampler.js';

const ID = '09cdcc0bd1b558b3e06833d35760038c0f5e767fbd525941b33607175261aa86';

// A container's /proc/PID/cgroup and the harness's mountinfo on this machine kind (cgroup v1 + a unified
// hierarchy, dockerd with the cgroupfs driver).
const HYBRID_CGROUP = `9:name=systemd:/docker/${ID}
8:pids:/docker/${ID}
7:blkio:/docker/${ID}
4:memory:/docker/${ID}
2:cpuacct:/docker/${ID}
1:cpu:/docker/${ID}
0::/docker/${ID}
`;
const HYBRID_MOUNTINFO = `24 1 254:0 / / rw,relatime - ext4 /dev/vda rw
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;
// cgroup v2 only, dockerd with the systemd driver (a usual desktop or CI host).
const V2_CGROUP = `0::/system.slice/docker-${ID}.scope\n`;
const V2_MOUNTINFO = `30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n`;

test('/proc/PID/cgroup: controllers and path per hierarchy; the unified one has none', () => {
  const memberships = parseProcCgroup(HYBRID_CGROUP);
  assert.deepEqual(memberships[0], { controllers: ['name=systemd'], path: `/docker/${ID}` });
  assert.deepEqual(memberships.at(-1), { controllers: [], path: `/docker/${ID}` });
  assert.throws(() => parseProcCgroup('garbage'), /not a \/proc\/PID\/cgroup line/);
});

test('mountinfo: v1 hierarchies with their controllers, the v2 one, nothing else', () => {
  const mounts = parseCgroupMounts(HYBRID_MOUNTINFO);
  assert.deepEqual(
    mounts.map((m) => [m.version, m.controllers.join(','), m.mountPoint]),
    [
      [1, 'cpu', '/sys/fs/cgroup/cpu'],
      [1, 'cpuacct', '/sys/fs/cgroup/cpuacct'],
      [1, 'memory', '/sys/fs/cgroup/memory'],
      [1, '', '/sys/fs/cgroup/systemd'],
      [2, '', '/sys/fs/cgroup/unified'],
    ],
  );
  assert.equal(
    parseCgroupMounts(
      '50 31 0:40 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct',
    )[0]!.controllers.join(),
    'cpu,cpuacct',
  );
});

test("a container's CPU account: v1 cpuacct where mounted, else the unified hierarchy (systemd driver)", () => {
  const v1 = cgroupCpu(parseProcCgroup(HYBRID_CGROUP), parseCgroupMounts(HYBRID_MOUNTINFO));
  assert.deepEqual(v1, { version: 1, dir: `/sys/fs/cgroup/cpuacct/docker/${ID}` });
  assert.equal(cpuUsageFile(v1!), `/sys/fs/cgroup/cpuacct/docker/${ID}/cpuacct.usage`);
  const v2 = cgroupCpu(parseProcCgroup(V2_CGROUP), parseCgroupMounts(V2_MOUNTINFO));
  assert.deepEqual(v2, { version: 2, dir: `/sys/fs/cgroup/system.slice/docker-${ID}.scope` });
  assert.equal(cpuUsageFile(v2!), `/sys/fs/cgroup/system.slice/docker-${ID}.scope/cpu.stat`);
});

test('the root cgroup (the whole machine) and a path outside the mount are not a container', () => {
  assert.equal(cgroupCpu(parseProcCgroup('2:cpuacct:/\n0::/\n'), parseCgroupMounts(HYBRID_MOUNTINFO)), undefined);
  const nested = parseCgroupMounts('30 23 0:26 /kubepods/pod1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n');
  assert.equal(cgroupCpu(parseProcCgroup(V2_CGROUP), nested), undefined);
  assert.deepEqual(cgroupCpu(parseProcCgroup('0::/kubepods/pod1/c1\n'), nested), {
    version: 2,
    dir: '/sys/fs/cgroup/c1',
  });
});

test('CPU-seconds from cpuacct.usage (ns) and cpu.stat usage_usec', () => {
  assert.equal(parseCpuUsage(1, '23964983\n'), 0.023964983);
  assert.equal(parseCpuUsage(2, 'usage_usec 14901\nuser_usec 14901\nsystem_usec 0\n'), 0.014901);
  assert.throws(() => parseCpuUsage(1, ''), /not a cpuacct.usage/);
  assert.throws(() => parseCpuUsage(2, 'user_usec 1\n'), /no usage_usec/);
});

test('a process in the root cgroup (the harness here) is never read as a container: unmeasured, not the machine', () => {
  const own = parseProcCgroup(readFileSync('/proc/self/cgroup', 'utf8'));
  // Only where the harness's CPU is accounted in the root cgroup (this machine kind); elsewhere it has its own.
  if (own.some((m) => (m.controllers.includes('cpuacct') || m.controllers.length === 0) && m.path !== '/')) return;
  assert.equal(readCgroup(process.pid), undefined);
  const sampler = new ResourceSampler(
    [{ name: 'not-a-container', kind: 'broker', pid: () => process.pid, source: 'cgroup' }],
    () => 0,
  );
  sampler.start();
  assert.deepEqual(sampler.samples().processes, [
    { name: 'not-a-container', kind: 'broker', pids: [process.pid], source: 'cgroup' },
  ]);
  assert.equal(sampler.samples().source, 'proc+cgroup');
});
