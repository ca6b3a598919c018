/** standalone.conf of the local Pulsar: its bookie on loopback, and per-region listeners; geo-replication's peer registration. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunningCluster } from '../../src/cluster/provider.js';
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
  assert.equal(conf.has('advertisedListeners'), false, 'no regions: one listener');
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
      regionListeners: [
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
