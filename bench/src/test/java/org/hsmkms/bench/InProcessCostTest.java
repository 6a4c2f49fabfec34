package org.hsmkms.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-process measurements run and print a figure for each step (no figure is asserted beyond
 * being positive: speed is read from their output, not tested), and leave no file behind.
 */
class InProcessCostTest {
  private static final Pattern FIGURE = Pattern.compile("(\\d+\\.\\d+) us");

  @Test
  void mandatoryCost_printsEachStep_andTheShareOfTheBound() throws Exception {
    String out = captured(() -> MandatoryCost.main(new String[] {"1", "40000", "2"}));

    for (String step : new String[] {"SigV4 verification", "JSON: read", "audit record", "sum"}) {
      Matcher m = FIGURE.matcher(line(out, step));
      assertTrue(m.find(), out);
      assertTrue(Double.parseDouble(m.group(1)) > 0, out);
    }
    assertTrue(out.contains("at most"), out);
  }

  @Test
  void auditWriteRate_printsRecordsPerSecond_andRemovesItsTrail(@TempDir Path dir)
      throws Exception {
    String out =
        captured(() -> AuditWriteRate.main(new String[] {"2", "1", "false", dir.toString()}));

    Matcher m = Pattern.compile("fsync false: (\\d+) records/s").matcher(out);
    assertTrue(m.find(), out);
    assertTrue(Long.parseLong(m.group(1)) > 0, out);
    try (var left = Files.list(dir)) {
      assertEquals(0, left.count());
    }
  }

  private interface Main {
    void run() throws Exception;
  }

  private static String captured(Main main) throws Exception {
    PrintStream before = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      main.run();
    } finally {
      System.setOut(before);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static String line(String out, String start) {
    return out.lines()
        .filter(l -> l.strip().startsWith(start))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no line " + start + " in " + out));
  }
}
