// Reads an HdrHistogram interval log with HdrHistogram's own HistogramLogReader and prints what it found, one
// line per interval ("interval START END COUNT MAX P99") and a total line ("total COUNT MAX P50 P99"), values as
// recorded. Run: java -cp 'HdrHistogram jars/*' ReadHlog.java FILE
import java.io.File;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

public class ReadHlog {
  public static void main(String[] args) throws Exception {
    HistogramLogReader reader = new HistogramLogReader(new File(args[0]));
    Histogram total = null;
    EncodableHistogram next;
    while ((next = reader.nextIntervalHistogram()) != null) {
      Histogram h = (Histogram) next;
      System.out.printf(java.util.Locale.US, "interval %.3f %.3f %d %d %d%n", h.getStartTimeStamp() / 1000.0,
          h.getEndTimeStamp() / 1000.0, h.getTotalCount(), h.getMaxValue(), h.getValueAtPercentile(99));
      if (total == null) total = new Histogram(3);
      total.add(h);
    }
    System.out.printf(java.util.Locale.US, "start %.3f%n", reader.getStartTimeSec());
    if (total != null)
      System.out.printf(java.util.Locale.US, "total %d %d %d %d%n", total.getTotalCount(), total.getMaxValue(),
          total.getValueAtPercentile(50), total.getValueAtPercentile(99));
  }
}
