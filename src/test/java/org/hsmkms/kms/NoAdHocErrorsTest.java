package org.hsmkms.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A source scan, as ArchitectureTest is for layers: no file of {@code src/main} words an error of
 * its own; every KmsException is made by a factory of the Errors classes ({@link ErrorsTest} lists
 * them all).
 */
class NoAdHocErrorsTest {
  private static final List<Class<?>> ERROR_CLASSES = ErrorsTest.ERROR_CLASSES;

  /**
   * The Errors classes and KmsException construct every KmsException; and KeyStateTable.java, the
   * key-state table. Until that table has taken them over, a message stating a key's state
   * ("&lt;key ARN&gt; is disabled.") is tolerated where it is.
   */
  @Test
  void noKmsExceptionIsConstructedOutsideTheErrorsClasses() throws IOException {
    Set<String> allowed = new TreeSet<>();
    ERROR_CLASSES.forEach(c -> allowed.add(c.getSimpleName() + ".java"));
    allowed.addAll(List.of("KmsException.java", "KeyStateTable.java"));
    Pattern construction = Pattern.compile("new\\s+KmsException\\s*\\(");
    Pattern statesKeyState =
        Pattern.compile(
            "new\\s+KmsException\\(\\s*ErrorCode\\.(INVALID_STATE|DISABLED|KEY_UNAVAILABLE),"
                + "\\s*[\\w.()]+\\s*\\+\\s*\" is ");
    List<String> offenders = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        if (allowed.contains(f.getFileName().toString())) {
          continue;
        }
        String source = read(f);
        Matcher m = construction.matcher(source);
        while (m.find()) {
          String from = source.substring(m.start(), Math.min(source.length(), m.start() + 200));
          if (!statesKeyState.matcher(from).lookingAt()) {
            offenders.add(f + ": " + from.lines().findFirst().orElse(""));
          }
        }
      }
    }

    assertEquals(List.of(), offenders);
  }

  @Test
  void theSourceScan_findsAConstructionOutsideTheErrorsClasses() {
    // The scan's own pattern, on a line it must refuse and on one it tolerates.
    Pattern statesKeyState =
        Pattern.compile(
            "new\\s+KmsException\\(\\s*ErrorCode\\.(INVALID_STATE|DISABLED|KEY_UNAVAILABLE),"
                + "\\s*[\\w.()]+\\s*\\+\\s*\" is ");
    assertTrue(
        statesKeyState
            .matcher("new KmsException(ErrorCode.DISABLED, arn + \" is disabled.\")")
            .lookingAt());
    assertTrue(
        !statesKeyState
            .matcher(
                "new KmsException(ErrorCode.NOT_FOUND, \"Key '\" + arn + \"' does not exist\")")
            .lookingAt());
    assertTrue(
        !statesKeyState
            .matcher("new KmsException(ErrorCode.INVALID_STATE, arn + \" cannot be rotated now.\")")
            .lookingAt());
  }

  private static String read(Path f) {
    try {
      return Files.readString(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
