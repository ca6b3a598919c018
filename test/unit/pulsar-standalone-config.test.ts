/** standalone.conf of the local Pulsar: its bookie on loopback, and per-path client listeners; geo-replication's peer registration. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunningCluster } from '../../src/cluster/provider.js';
import { pulsarEndpoints, pulsarLinkSpecs } from '../../src/cluster/pulsar/local-pulsar.js';
import { pulsarListenerName, standaloneProperties } from '../../src/cluster/pulsar/standalone-config.js';
import { peerRegistration } from '../../src/replication/pulsar-geo-replication.js';

const ports = { broker: 6650, web: 8080, bookie: 3181 };

test('the in-process bookie takes its given port on the loopback interface; the broker clients resolve on loopback', () => {
  const conf = standaloneProperties('pa', ports, {}, { loopbackInterface: 'lo0' });
  assert.equal(
    conf.get('allowEphemeralPorts'),
    'true',
    'else BKCluster ignores --bookkeeper-port and takes a random port',
  );
  assert.equal(conf.get('listeningInterface'), 'lo0', 'else the bookie binds the wildcard address');
  assert.equal(conf.get('allowLoopback'), 'true');
  assert.equal(conf.get('advertisedAddress'), '127.0.0.1', 'the address the bookie binds once it has an interface');
  assert.equal(conf.get('bindAddress'), '127.0.0.1');
  assert.equal(conf.get('brokerClient_dnsLookupBindAddress'), '127.0.0.1');
  assert.equal(conf.has('advertisedListeners'), false, 'no proxied network: one listener');
  assert.equal(conf.has('bindAddresses'), false);
  assert.equal(
    standaloneProperties('pa', ports, { allowLoopback: false }).get('allowLoopback'),
    'false',
    'the scenario config wins',
  );
});

test('with client regions: each region has a bound port whose listener advertises its proxy; the broker port stays internal', () => {
  const conf = standaloneProperties(
    'pa',
    ports,
    {},
    {
      clientListeners: [
        { region: 'us-east', port: 7001, advertisedPort: 9001 },
        { region: 'eu.west', port: 7002, advertisedPort: 9002 },
      ],
    },
  );
  assert.equal(conf.get('internalListenerName'), 'internal');
  assert.equal(
    conf.get('advertisedListeners'),
    'internal:pulsar://127.0.0.1:6650,region_us_2deast:pulsar://127.0.0.1:9001,region_eu_2ewest:pulsar://127.0.0.1:9002',
  );
  assert.equal(
    conf.get('bindAddresses'),
    'region_us_2deast:pulsar://127.0.0.1:7001,region_eu_2ewest:pulsar://127.0.0.1:7002',
  );
});

test('without regions but with a proxied network: one client listener advertises the one binary proxy', () => {
  const conf = standaloneProperties(
    'pa',
    ports,
    {},
    { clientListeners: [{ region: undefined, port: 7001, advertisedPort: 9001 }] },
  );
  assert.equal(conf.get('internalListenerName'), 'internal', 'the in-broker WebSocket service stays off the proxy');
  assert.equal(conf.get('advertisedListeners'), 'internal:pulsar://127.0.0.1:6650,clients:pulsar://127.0.0.1:9001');
  assert.equal(conf.get('bindAddresses'), 'clients:pulsar://127.0.0.1:7001');
});

test('the proxies of a standalone without regions: the web service and the binary port, and clients dial the binary proxy', () => {
  const specs = pulsarLinkSpecs({ web: 8080, regionPorts: [7001] }, undefined);
  assert.deepEqual(specs, [
    { kind: 'client', from: 'clients', to: 1, upstreamPort: 8080 },
    { kind: 'client', from: 'clients', to: 1, upstreamPort: 7001, service: 'binary' },
  ]);
  const links = specs.map((spec, i) => ({ ...spec, name: `l${i}`, listenPort: 9000 + i }));
  assert.deepEqual(pulsarEndpoints(links, { broker: 6650, web: 8080 }, undefined), {
    bootstrap: 'pulsar://127.0.0.1:9001',
    webServiceUrl: 'http://127.0.0.1:9000',
  });
  assert.deepEqual(
    pulsarEndpoints(undefined, { broker: 6650, web: 8080 }, undefined),
    { bootstrap: 'pulsar://127.0.0.1:6650', webServiceUrl: 'http://127.0.0.1:8080' },
    'no proxied network: the broker itself',
  );
});

test('listener names are word characters only (Pulsar parses bindAddresses with \\w+) and stay distinct per region', () => {
  const names = ['us-east', 'us_east', 'us.east', 'usEast', 'us-2deast'].map(pulsarListenerName);
  for (const name of names) assert.match(name, /^\w+$/);
  assert.equal(new Set(names).size, names.length);
});

function cluster(name: string, endpointsByRegion?: RunningCluster['endpointsByRegion']): RunningCluster {
  return {
    spec: { name } as RunningCluster['spec'],
    version: '4.0.7',
    endpoints: { bootstrap: 'pulsar://127.0.0.1:1', webServiceUrl: 'http://127.0.0.1:2' },
    brokers: [],
    ...(endpointsByRegion ? { endpointsByRegion } : {}),
    stop: async () => {},
  };
}

test("geo-replication registers the peer by its path from the registering cluster's region, under that region's listener", () => {
  const peer = cluster('pb', {
    ra: { bootstrap: 'pulsar://127.0.0.1:11', webServiceUrl: 'http://127.0.0.1:12' },
    rb: { bootstrap: 'pulsar://127.0.0.1:21', webServiceUrl: 'http://127.0.0.1:22' },
  });
  assert.deepEqual(peerRegistration(peer, 'ra'), {
    serviceUrl: 'http://127.0.0.1:12',
    brokerServiceUrl: 'pulsar://127.0.0.1:11',
    listenerName: 'region_ra',
  });
  assert.deepEqual(
    peerRegistration(cluster('pb'), undefined),
    { serviceUrl: 'http://127.0.0.1:2', brokerServiceUrl: 'pulsar://127.0.0.1:1' },
    'no regions: its own endpoints',
  );
  assert.throws(
    () => peerRegistration(peer, 'rc'),
    /cluster pb has no path from region rc \(it is reached from ra, rb\)/,
  );
});
