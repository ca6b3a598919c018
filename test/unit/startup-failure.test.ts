/** A broker that fails at start-up is reported in one line: its log's error and innermost exception, no stack. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startupFailureReason } from '../../src/cluster/startup-failure.js';

const kafkaLog =
  `[2026-11-23 19:29:06,700] INFO [ControllerServer id=1] Starting controller (kafka.server.ControllerServer)
[2026-11-23 19:29:06,769] ERROR Encountered fatal fault: caught exception (org.apache.kafka.server.fault.ProcessTerminatingFaultHandler)
java.lang.ClassNotFoundException: org.example.NoSuchAuthorizer
	at java.base/jdk.internal.loader.BuiltinClassLoader.loadClass(BuiltinClassLoader.java:641) ~[?:?]
	at org.apache.kafka.common.utils.Utils.loadClass(Utils.java:432) ~[kafka-clients-4.1.1.jar:?]
	at kafka.server.KafkaRaftServer.$anonfun$startup$1(KafkaRaftServer.scala:94) ~[kafka_2.13-4.1.1.jar:?]
	at scala.Option.foreach(Option.scala:437) [scala-library-2.13.16.jar:?]
[2026-11-23 19:29:06,800] INFO [ControllerServer id=1] shutting down (kafka.server.ControllerServer)
[2026-11-23 19:29:06,900] ERROR Exiting Kafka due to fatal exception (kafka.Kafka$)
`.split('\n');

test('the first error with an exception, in one line', () => {
  const reason = startupFailureReason(kafkaLog, [
    'Formatting metadata directory /tmp/x with metadata.version 4.1-IV1.',
  ]);
  assert.equal(
    reason,
    'Encountered fatal fault: caught exception: ClassNotFoundException: org.example.NoSuchAuthorizer',
  );
});

test('a cause chain ends at the innermost reason', () => {
  const log = `[2026-11-23 10:00:00,000] ERROR Exiting Kafka due to fatal exception during startup. (kafka.Kafka$)
org.apache.kafka.common.KafkaException: Socket server failed to bind to 127.0.0.1:24013: Address already in use.
	at kafka.network.Acceptor.openServerSocket(SocketServer.scala:734) ~[kafka_2.13-4.1.1.jar:?]
Caused by: java.net.BindException: Address already in use
	at java.base/sun.nio.ch.Net.bind0(Native Method) ~[?:?]
	... 12 more
`.split('\n');
  assert.equal(
    startupFailureReason(log, []),
    'Exiting Kafka due to fatal exception during startup.: BindException: Address already in use',
  );
});

test('without a log, the console output: its last exception, else its first error line', () => {
  const console = [
    'Starting',
    'Exception in thread "main" java.lang.IllegalArgumentException: bad value for foo',
    '\tat Foo.main(Foo.java:1)',
  ];
  assert.equal(startupFailureReason([], console), 'IllegalArgumentException: bad value for foo');
  assert.equal(
    startupFailureReason(
      [],
      ['Formatting /tmp/x', 'Error while writing meta.properties file /proc/x: Permission denied', 'done'],
    ),
    'Error while writing meta.properties file /proc/x: Permission denied',
  );
  assert.equal(startupFailureReason([], []), 'no error in its log or output');
});

test('an error entry without an exception is its own reason', () => {
  assert.equal(
    startupFailureReason(['[2026-11-23 10:00:00,000] FATAL something broke badly (x.Y)'], []),
    'something broke badly',
  );
});
