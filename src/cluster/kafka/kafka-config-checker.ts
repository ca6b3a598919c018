/**
 * The Java side of checking Kafka broker and topic `config` against the broker's own definitions, compiled
 * against the same jars the broker runs from (see config-check.ts). It reads `scope<TAB>key<TAB>value` lines
 * from a request file and writes JSON to an output file:
 *   - brokerKeys / topicKeys: every name KafkaConfig's ConfigDef (ServerConfigs, KRaftConfigs, …) and
 *     LogConfig's define;
 *   - problems: per key, what ConfigDef.parse would throw (type conversion, then the key's validator), in the
 *     broker's own words ("Invalid value -5 for configuration message.max.bytes: Value must be at least 0");
 *     then, when every key passed, what the whole configuration does: KafkaConfig.fromProps over the node's
 *     complete server.properties (cross-field rules), LogConfig.validate over each topic's settings.
 * Scopes: `broker` (the scenario's cluster config), `node` (the full server.properties of node 1),
 * `topic:<n>` (the config of the scenario's n-th topic).
 */
import { JAVA_JSON_STRING } from '../config-check.js';

export const KAFKA_CONFIG_CHECKER_CLASS = 'FaultlineKafkaConfigCheck';

export const KAFKA_CONFIG_CHECKER_SOURCE = String.raw`
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigDef;

public class FaultlineKafkaConfigCheck {
  static final List<String> problems = new ArrayList<>();

  public static void main(String[] args) throws Exception {
    Map<String, ConfigDef.ConfigKey> brokerKeys = kafka.server.KafkaConfig.configDef().configKeys();
    Map<String, ConfigDef.ConfigKey> topicKeys = org.apache.kafka.storage.internals.log.LogConfig.configKeys();
    Map<String, Map<String, String>> scopes = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Paths.get(args[0]), StandardCharsets.UTF_8)) {
      if (line.isEmpty()) continue;
      String[] parts = line.split("\t", 3);
      scopes.computeIfAbsent(parts[0], k -> new LinkedHashMap<>()).put(parts[1], parts[2]);
    }
    boolean brokerKeysValid = true;
    for (Map.Entry<String, Map<String, String>> scope : scopes.entrySet()) {
      String name = scope.getKey();
      if (name.equals("node")) continue;
      Map<String, ConfigDef.ConfigKey> keys = name.equals("broker") ? brokerKeys : topicKeys;
      boolean valid = true;
      for (Map.Entry<String, String> entry : scope.getValue().entrySet()) {
        ConfigDef.ConfigKey key = keys.get(entry.getKey());
        if (key == null) continue;
        try {
          Object parsed = ConfigDef.parseType(key.name, entry.getValue(), key.type);
          if (key.validator != null) key.validator.ensureValid(key.name, parsed);
        } catch (Exception e) {
          valid = false;
          problem(name, entry.getKey(), e);
        }
      }
      if (name.equals("broker")) brokerKeysValid = valid;
      else if (valid) {
        Properties props = new Properties();
        props.putAll(scope.getValue());
        try {
          org.apache.kafka.storage.internals.log.LogConfig.validate(props);
        } catch (Exception e) {
          problem(name, null, e);
        }
      }
    }
    Map<String, String> node = scopes.get("node");
    if (node != null && brokerKeysValid) {
      Properties props = new Properties();
      props.putAll(node);
      try {
        kafka.server.KafkaConfig.fromProps(props, false);
      } catch (Throwable e) {
        problem("broker", null, e);
      }
    }
    StringBuilder out = new StringBuilder("{\"brokerKeys\":");
    definitions(out, brokerKeys);
    out.append(",\"topicKeys\":");
    definitions(out, topicKeys);
    out.append(",\"problems\":[").append(String.join(",", problems)).append("]}");
    Files.write(Paths.get(args[1]), out.toString().getBytes(StandardCharsets.UTF_8));
  }

  static void definitions(StringBuilder out, Map<String, ConfigDef.ConfigKey> keys) {
    out.append('{');
    boolean first = true;
    for (ConfigDef.ConfigKey key : new TreeMap<>(keys).values()) {
      if (!first) out.append(',');
      first = false;
      out.append(json(key.name)).append(":{\"type\":").append(json(String.valueOf(key.type)))
        .append(",\"validator\":").append(key.validator == null ? "null" : json(String.valueOf(key.validator))).append('}');
    }
    out.append('}');
  }

  static void problem(String scope, String key, Throwable e) {
    problems.add("{\"scope\":" + json(scope) + ",\"key\":" + (key == null ? "null" : json(key)) + ",\"reason\":" + json(reason(e)) + "}");
  }

  /** The exception's own message, with its causes' where they add something. */
  static String reason(Throwable e) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
      String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
      if (text.indexOf(message) >= 0) continue;
      if (text.length() > 0) text.append(": ");
      text.append(message);
    }
    return text.toString();
  }

${JAVA_JSON_STRING}
}
`;
