import assert from 'node:assert/strict';
import { test } from 'node:test';
import { standaloneProperties } from '../../src/cluster/pulsar/standalone-config.js';
import { BrokerEntryMetadataType } from '../../src/drivers/pulsar/binary/protocol.js';
import { mergeKnobs, type Side } from '../../src/fairness/knobs.js';
import { ENTRY_TIMESTAMP_BYTES } from '../../src/fairness/pulsar-entry-metadata.js';
import { pulsarKnobs } from '../../src/fairness/pulsar-knobs.js';
import { buildPlan } from '../../src/plan/plan.js';
import { compareRuns, renderComparison } from '../../src/report/compare.js';
import { effectiveTable } from '../../src/report/effective-settings.js';
import type { RunResult } from '../../src/report/result.js';
import { parseScenario } from '../../src/scenario/load-scenario.js';

const INTERCEPTOR = 'org.apache.pulsar.common.intercept.AppendBrokerTimestampMetadataInterceptor';

async function runsOf(clusters: string) {
  const plan = await buildPlan(
    parseScenario(
      `name: fair\nclusters:\n${clusters}\ntopics: [{name: events}]\nworkload: {duration: 10s, rate: 100/s}\n`,
      'fair.yaml',
    ),
  );
  return new Map(plan.runs.map((run) => [run.cluster.name, run] as const));
}

/** Enough of a result for report.md and compare. */
function result(run: Awaited<ReturnType<typeof runsOf>> extends Map<string, infer R> ? R : never): RunResult {
  return {
    status: 'passed',
    partial: false,
    scenario: { name: 'fair', file: 'fair.yaml' },
    cluster: {
      name: run.cluster.name,
      system: run.cluster.system,
      provider: run.cluster.provider,
      version: '1',
      brokers: 1,
      bootstrap: '',
      effective: run.effective,
    },
    driver: { name: run.driver.name, requested: run.driver.name },
    workload: {
      warmupMs: 0,
      durationMs: 10_000,
      drainTimeoutMs: 1000,
      messageSize: 100,
      targetRate: 100,
      phases: [{ durationMs: 10_000, rate: 100 }],
      topics: [{ name: 'events', partitions: 1, replicationFactor: 1 }],
      producers: 1,
      consumers: 1,
    },
    throughput: { produced: null, consumed: null },
    latency: { publish: null, publishUncorrected: null, endToEnd: null, sendLag: null },
    messages: { sent: 100, acked: 100, lost: 0 },
    errors: { total: 0, byKind: {} },
    criteria: [],
    warnings: [],
  } as unknown as RunResult;
}

test('the broker timestamp adds 13 bytes per entry: magic, size and the BrokerEntryMetadata the binary driver decodes', () => {
  // 2026 and the varint's last year at 6 bytes (2^42 ms ≈ 2109): the same size throughout.
  for (const ms of [Date.UTC(2026, 11, 5), 2 ** 42 - 1]) {
    const encoded = BrokerEntryMetadataType.encode(BrokerEntryMetadataType.create({ brokerTimestamp: ms })).finish();
    assert.equal(2 + 4 + encoded.length, ENTRY_TIMESTAMP_BYTES, `at ${ms}`);
  }
  assert.equal(ENTRY_TIMESTAMP_BYTES, 13);
});

test('cluster.effective lists the interceptor faultline sets on local and docker Pulsar brokers; not on external or Kafka', async () => {
  const runs = await runsOf(`  - {name: local, system: pulsar, driver: binary}
  - {name: docker, system: pulsar, driver: binary, provider: docker}
  - {name: ext, system: pulsar, driver: binary, provider: external, bootstrap: "pulsar://127.0.0.1:6650", webServiceUrl: "http://127.0.0.1:8080"}
  - {name: kafka, system: kafka}`);
  for (const name of ['local', 'docker']) {
    const added = runs.get(name)!.effective!['broker.entryMetadata']!;
    assert.equal(added.value, 13, name);
    assert.equal(added.pinned, false);
    assert.equal(added.settings.brokerEntryMetadataInterceptors, `${INTERCEPTOR} (faultline's default)`);
    assert.equal(added.settings.exposingBrokerEntryMetadataToClientEnabled, "true (faultline's default)");
    assert.match(added.note!, /13 bytes more on the bookie and to every consumer/);
  }
  // What is listed is what the broker is given.
  const conf = standaloneProperties('p', { broker: 1, web: 2, bookie: 3 }, {});
  assert.equal(conf.get('brokerEntryMetadataInterceptors'), INTERCEPTOR);
  assert.equal(conf.get('exposingBrokerEntryMetadataToClientEnabled'), 'true');
  assert.equal(runs.get('ext')!.effective!['broker.entryMetadata'], undefined, 'external: faultline sets nothing');
  assert.equal(runs.get('kafka')!.effective!['broker.entryMetadata'], undefined);
});

/** A Pulsar side as the plan hands it to the mapping, with the cluster's `config` (pure: no config check). */
function pulsarSide(brokerConfig: Record<string, string>): Side {
  return {
    index: 0,
    knobs: mergeKnobs({}, {}),
    knobAt: (group, field) => ['workload', group, field],
    driver: 'binary',
    provider: 'local',
    brokers: 1,
    brokerConfig,
    topics: [{ index: 0, name: 'events', replicationFactor: 1, config: {}, load: true }],
    producer: { given: new Set(), at: (k) => ['workload', 'producer', k], parsed: { receiverQueueSize: 1000 } },
    consumer: { given: new Set(), at: (k) => ['workload', 'consumer', k], parsed: { receiverQueueSize: 1000 } },
  };
}

test("a cluster's config that drops the interceptor is recorded as 0 bytes, with what it costs; others are not sized", () => {
  const off = pulsarKnobs(pulsarSide({ brokerEntryMetadataInterceptors: '' })).effective['broker.entryMetadata']!;
  assert.equal(off.value, 0);
  assert.equal(off.settings.brokerEntryMetadataInterceptors, '');
  assert.match(off.note!, /cannot measure geo-replication lag/);
  const more = pulsarKnobs(
    pulsarSide({
      brokerEntryMetadataInterceptors: `${INTERCEPTOR},org.apache.pulsar.common.intercept.AppendIndexMetadataInterceptor`,
    }),
  ).effective['broker.entryMetadata']!;
  assert.equal(more.value, null);
  assert.match(more.note!, /not computed/);
});

test('report.md and compare show it; Kafka vs Pulsar is not flagged for it, Pulsar with vs without is', async () => {
  const runs = await runsOf(`  - {name: kafka, system: kafka, driver: platformatic}
  - {name: pulsar, system: pulsar, driver: binary}
  - {name: off, system: pulsar, driver: binary}`);
  // "off" ran with the interceptor dropped by its config (as the mapping records it).
  const off = runs.get('off')!.effective!;
  off['broker.entryMetadata'] = pulsarKnobs(pulsarSide({ brokerEntryMetadataInterceptors: '' })).effective[
    'broker.entryMetadata'
  ];
  const side = (name: string) => ({ label: name, dir: '/r', result: result(runs.get(name)!) });
  assert.match(
    effectiveTable(side('pulsar').result),
    /\| broker entry metadata \(bytes added per entry\) \(`broker\.entryMetadata`\) \| \*\*13 B per entry\*\* — `brokerEntryMetadataInterceptors=org\.apache\.pulsar\.common\.intercept\.AppendBrokerTimestampMetadataInterceptor \(faultline's default\)`/,
  );
  assert.doesNotMatch(effectiveTable(side('kafka').result), /entryMetadata/);

  const kafkaVsPulsar = compareRuns([side('kafka'), side('pulsar')]);
  assert.ok(!kafkaVsPulsar.warnings.some((w) => /entryMetadata/.test(w)), kafkaVsPulsar.warnings.join('\n'));
  assert.match(
    renderComparison(kafkaVsPulsar),
    /\| broker entry metadata \(bytes added per entry\) \(`broker\.entryMetadata`\) \| not set by faultline \| \*\*13 B per entry\*\*.* \| n\/a \|/,
  );

  const withVsWithout = compareRuns([side('pulsar'), side('off')]);
  const warning = withVsWithout.warnings.find((w) => /not like for like/.test(w));
  assert.match(
    warning ?? '',
    /same broker settings, so the runs are not like for like: broker\.entryMetadata \(pulsar: 13 B per entry, off: 0 B per entry\) — pin them in the scenario \(the clusters' config: brokerEntryMetadataInterceptors\)/,
  );
  assert.match(renderComparison(withVsWithout), /\(`broker\.entryMetadata`\) \|.*\| \*\*no\*\* \|/);
});
