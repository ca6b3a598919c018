/** Ports for brokers and proxies: outside the ephemeral range, never handed to two faultline processes at once. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  ephemeralPortRange,
  freePorts,
  PORT_BLOCK_SIZE,
  portBlocks,
  reserveBlock,
} from '../../src/cluster/free-ports.js';

test('the ephemeral range is read from the kernel', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'faultline-ports-')), 'range');
  writeFileSync(file, '32768\t60999\n');
  assert.deepEqual(ephemeralPortRange(file), { first: 32768, last: 60999 });
  assert.deepEqual(ephemeralPortRange('/nonexistent'), { first: 49152, last: 65535 });
});

test('port blocks lie wholly outside the ephemeral range and above 10000', () => {
  const ephemeral = { first: 32768, last: 60999 };
  const blocks = portBlocks(ephemeral, 200);
  assert.ok(blocks.length > 50);
  for (const start of blocks) {
    assert.ok(start >= 10_000);
    assert.ok(start + 199 < ephemeral.first || start > ephemeral.last, `block ${start} overlaps the ephemeral range`);
    assert.ok(start + 199 <= 65_535);
  }
});

test('freePorts hands out bindable ports outside the ephemeral range, never the same one twice in a process', async () => {
  const ephemeral = ephemeralPortRange();
  const first = await freePorts(21);
  const second = await freePorts(15);
  const all = [...first, ...second];
  assert.equal(new Set(all).size, all.length, 'no port handed out twice');
  for (const port of all)
    assert.ok(
      port >= 10_000 && (port < ephemeral.first || port > ephemeral.last),
      `port ${port} is in the ephemeral range ${ephemeral.first}-${ephemeral.last}`,
    );
});

test('a port something else listens on is skipped', async () => {
  const [probe] = await freePorts(1);
  // The next port of this process's block is taken by someone else: freePorts must not offer it.
  const squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen(probe! + 1, '127.0.0.1', resolve));
  try {
    const [next] = await freePorts(1);
    assert.notEqual(next, probe! + 1);
  } finally {
    await new Promise((resolve) => squatter.close(resolve));
  }
});

test('a block held by a live process is never reserved by another; a dead owner’s block is taken over', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-port-locks-'));
  const starts = [20_000, 20_200, 20_400];
  const a = reserveBlock(dir, starts, process.pid);
  assert.ok(a !== undefined);
  // Another live process (our parent) asks: it gets a different block.
  const b = reserveBlock(dir, starts, process.ppid);
  assert.ok(b !== undefined && b !== a);
  // A block whose owner has exited is free again.
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(dead.stdout);
  const third = starts.find((s) => s !== a && s !== b)!;
  writeFileSync(join(dir, `block-${third}.lock`), String(deadPid));
  const c = reserveBlock(dir, starts, 1);
  assert.equal(c, third);
  assert.ok(existsSync(join(dir, `block-${third}.lock`)));
  assert.equal(
    reserveBlock(dir, starts, process.pid + 1),
    undefined,
    'every block held by a live process: none to give',
  );
  assert.equal(Number(readFileSync(join(dir, `block-${a}.lock`), 'utf8')), process.pid);
  assert.equal(PORT_BLOCK_SIZE, 200);
});

test('two processes reserving at the same moment get disjoint ports', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-port-locks-'));
  const script = `import('${new URL('../../src/cluster/free-ports.js', import.meta.url).href}').then(async (m) => process.stdout.write(JSON.stringify(await m.freePorts(30))))`;
  const children = Array.from({ length: 3 }, () =>
    spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      env: { ...process.env, FAULTLINE_PORT_LOCKS: dir },
    }),
  );
  const sets = children.map((c) => JSON.parse(c.stdout) as number[]);
  const all = sets.flat();
  assert.equal(new Set(all).size, all.length, 'no port given to two processes');
});
