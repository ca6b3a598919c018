import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { junitXml } from '../../src/report/junit.js';
import type { RunResult } from '../../src/report/result.js';
import { tempDir } from '../helpers.js';
import { validateJunit } from '../java-tools.js';
import { fixtureResult } from './report-fixtures.js';

/** Validates with the JDK's XML Schema validator against the common JUnit shape (test/fixtures/junit-common.xsd). */
function validate(xml: string): string {
  const file = join(tempDir('faultline-junit-'), 'junit.xml');
  writeFileSync(file, xml);
  return validateJunit(file);
}

test('each criterion a testcase: the scenario the classname, a failure with the figure and the threshold', () => {
  const xml = junitXml([fixtureResult('kafka-pause')]);
  assert.match(validate(xml), /^valid /);
  assert.match(xml, /<testsuites name="faultline" tests="4" failures="1" errors="0"/);
  assert.match(xml, /<testcase classname="fixture-kafka-pause" name="main: messages.lost == 0" time="0"\/>/);
  assert.match(
    xml,
    /<testcase classname="fixture-kafka-pause" name="main: latency.publish.p99 &lt; 100ms" time="0">\n\s+<failure message="latency.publish.p99 &lt; 100ms: actual [\d.]+, threshold 100" type="criterion">/,
  );
});

test('the parts of a run are suites of their own; their cases never share a name', () => {
  const xml = junitXml([fixtureResult('failover-pairs/kafka-east'), fixtureResult('failover-pairs/pulsar-east')]);
  assert.match(validate(xml), /^valid /);
  assert.equal(xml.match(/<testsuite /g)?.length, 2);
  const names = [...xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"/g)].map((m) => `${m[1]}/${m[2]}`);
  assert.equal(new Set(names).size, names.length);
});

test('a run that did not complete is an error; odd characters are escaped or dropped', () => {
  const r = fixtureResult('kafka-interrupted');
  const odd = {
    ...r,
    scenario: { ...r.scenario, name: 'a<b>&"c\'\u0001' },
    criteria: [{ expression: 'x < 1', actual: null, threshold: 1, passed: false, note: 'not measured' }],
  } as RunResult;
  const xml = junitXml([odd]);
  assert.match(validate(xml), /^valid /);
  assert.match(xml, /classname="a&lt;b&gt;&amp;&quot;c&apos;"/);
  assert.match(
    xml,
    /<error message="the run interrupted: interrupted by SIGINT; its figures cover only what ran" type="interrupted"\/>/,
  );
  assert.match(xml, /failures="1" errors="1"/);
});
