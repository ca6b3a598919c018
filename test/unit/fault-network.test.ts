/** ProxiedNetwork's toxic removal against a stand-in Toxiproxy HTTP API on 127.0.0.1: failures are not swallowed. */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { ProxiedNetwork } from '../../src/net/proxied-network.js';

async function withToxiproxyAnswering(
  status: number,
  body: (network: ProxiedNetwork, deletes: string[]) => Promise<void>,
): Promise<void> {
  const deletes: string[] = [];
  const server = createServer((request, response) => {
    deletes.push(`${request.method} ${request.url}`);
    response.writeHead(status).end(status >= 400 ? 'toxic trouble' : '');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const proxy = { listen: '', upstream: '', addToxic: async () => ({}), update: async () => proxy };
  const api = { host, createProxy: async () => proxy };
  try {
    await body(new ProxiedNetwork(api as never), deletes);
  } finally {
    await new Promise((done) => server.close(done));
  }
}

const toxic = { type: 'latency', attributes: { latency: 50, jitter: 0 }, stream: 'upstream' } as const;

test('a toxic Toxiproxy fails to remove is reported, kept for a retry, and removed when Toxiproxy answers again', async () => {
  await withToxiproxyAnswering(500, async (network, deletes) => {
    const links = await network.addLinks([{ kind: 'client', from: 'clients', to: 1, upstreamPort: 9 }]);
    await network.addToxic('f1', links, toxic);
    await assert.rejects(
      network.removeToxics('f1'),
      /Toxiproxy could not remove 1 toxic\(s\): f1-latency-upstream on client-clients-to-1: HTTP 500 toxic trouble/,
    );
    await assert.rejects(
      network.removeToxics('f1'),
      /could not remove 1 toxic/,
      'still listed: the second call tries it again',
    );
    assert.deepEqual(deletes, [
      'DELETE /proxies/client-clients-to-1/toxics/f1-latency-upstream',
      'DELETE /proxies/client-clients-to-1/toxics/f1-latency-upstream',
    ]);
  });
});

for (const status of [204, 404]) {
  test(`a toxic removal answered ${status} counts as removed`, async () => {
    await withToxiproxyAnswering(status, async (network, deletes) => {
      const links = await network.addLinks([{ kind: 'client', from: 'clients', to: 1, upstreamPort: 9 }]);
      await network.addToxic('f1', links, toxic);
      await network.removeToxics('f1');
      await network.removeToxics('f1');
      assert.equal(deletes.length, 1, 'removed once, then nothing left to remove');
    });
  });
}

test('healAll keeps the standing costs in place: removes only the faults’ toxics and enables the proxy — no reset, no toxic added back', async () => {
  // Adding toxics back to links carrying data (after a reset) crashed Toxiproxy 2.12 under load, and left each
  // link free of its region cost for a moment.
  const calls: string[] = [];
  const server = createServer((request, response) => {
    calls.push(`${request.method} ${request.url}`);
    if (request.method === 'GET')
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify([{ name: 'region-latency-upstream' }, { name: 'f1-latency-upstream' }]));
    else response.writeHead(204).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const proxy = {
    listen: '',
    upstream: '',
    enabled: false,
    addToxic: async (t: { name: string }) => void calls.push(`add ${t.name}`),
    update: async (body: { enabled: boolean }) => {
      calls.push(`update enabled=${body.enabled}`);
      return { ...proxy, enabled: body.enabled };
    },
  };
  const api = {
    host,
    createProxy: async () => proxy,
    get: async () => proxy,
    reset: async () => void calls.push('reset'),
  };
  try {
    const network = new ProxiedNetwork(api as never);
    const [link] = await network.addLinks([{ kind: 'client', from: 'clients', to: 1, upstreamPort: 9 }]);
    await network.setStanding(link!, [toxic]);
    await network.addToxic('f1', [link!], toxic);
    calls.length = 0;
    await network.healAll();
    assert.deepEqual(calls, [
      'GET /proxies/client-clients-to-1/toxics',
      'DELETE /proxies/client-clients-to-1/toxics/f1-latency-upstream',
      'update enabled=true',
    ]);
  } finally {
    await new Promise((done) => server.close(done));
  }
});
