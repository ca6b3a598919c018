/**
 * The Java side of checking a Pulsar standalone's broker `config` (see config-check.ts), compiled against the
 * broker's own jars. Known keys: the fields of ServiceConfiguration (what PulsarConfigurationLoader fills), and,
 * since the standalone hands the same file to its in-process bookie, BookKeeper's ServerConfiguration keys.
 * A value is checked as the loader converts it (FieldParser) and against the field's @FieldContext range.
 * Same request and output format as the Kafka checker (scope `broker`; topicKeys is empty).
 */
import { JAVA_JSON_STRING } from '../config-check.js';

export const PULSAR_CONFIG_CHECKER_CLASS = 'FaultlinePulsarConfigCheck';

export const PULSAR_CONFIG_CHECKER_SOURCE = String.raw`
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pulsar.broker.ServiceConfiguration;
import org.apache.pulsar.common.configuration.FieldContext;
import org.apache.pulsar.common.util.FieldParser;

public class FaultlinePulsarConfigCheck {
  public static void main(String[] args) throws Exception {
    Map<String, Field> fields = new TreeMap<>();
    for (Class<?> c = ServiceConfiguration.class; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) if (!Modifier.isStatic(f.getModifiers())) fields.putIfAbsent(f.getName(), f);
    }
    Map<String, String> bookieKeys = new TreeMap<>();
    for (String name : new String[] {"org.apache.bookkeeper.conf.ServerConfiguration", "org.apache.bookkeeper.bookie.storage.ldb.DbLedgerStorage"}) {
      for (Class<?> c = Class.forName(name); c != null && c != Object.class; c = c.getSuperclass()) {
        for (Field f : c.getDeclaredFields()) {
          if (!Modifier.isStatic(f.getModifiers()) || f.getType() != String.class) continue;
          try {
            f.setAccessible(true);
            Object value = f.get(null);
            if (value instanceof String && ((String) value).matches("[A-Za-z][A-Za-z0-9_.]*")) bookieKeys.put((String) value, "bookie");
          } catch (Exception ignored) {
          }
        }
      }
    }
    List<String> problems = new ArrayList<>();
    for (String line : Files.readAllLines(Paths.get(args[0]), StandardCharsets.UTF_8)) {
      if (line.isEmpty()) continue;
      String[] parts = line.split("\t", 3);
      if (!parts[0].equals("broker")) continue;
      Field field = fields.get(parts[1]);
      if (field == null) continue;
      String reason = null;
      try {
        Object value = FieldParser.value(parts[2].trim(), field);
        FieldContext context = field.getAnnotation(FieldContext.class);
        if (context != null && value instanceof Number) {
          long n = ((Number) value).longValue();
          if (n < context.minValue() || n > context.maxValue()) {
            reason = "Invalid value " + parts[2] + " for " + parts[1] + ": must be in the range [" + context.minValue() + ", " + context.maxValue() + "]";
          }
        }
      } catch (Throwable e) {
        reason = "Invalid value " + parts[2] + " for " + parts[1] + " (" + field.getType().getSimpleName() + "): " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
      }
      if (reason != null) problems.add("{\"scope\":\"broker\",\"key\":" + json(parts[1]) + ",\"reason\":" + json(reason) + "}");
    }
    StringBuilder out = new StringBuilder("{\"brokerKeys\":{");
    boolean first = true;
    for (Map.Entry<String, Field> f : fields.entrySet()) {
      if (!first) out.append(',');
      first = false;
      out.append(json(f.getKey())).append(":{\"type\":").append(json(f.getValue().getType().getSimpleName())).append(",\"validator\":null}");
    }
    for (String key : bookieKeys.keySet()) {
      if (fields.containsKey(key)) continue;
      out.append(',').append(json(key)).append(":{\"type\":\"bookie\",\"validator\":null}");
    }
    out.append("},\"topicKeys\":{},\"problems\":[").append(String.join(",", problems)).append("]}");
    Files.write(Paths.get(args[1]), out.toString().getBytes(StandardCharsets.UTF_8));
  }

${JAVA_JSON_STRING}
}
`;
