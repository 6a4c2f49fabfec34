package org.hsmkms.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A PIN file's first line is the PIN, whatever line ends and surrounding blanks it has. */
class PinFileTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "no line end              | 'test-user-pin-1234'",
        "a newline (echo)         | 'test-user-pin-1234\n'",
        "CRLF                     | 'test-user-pin-1234\r\n'",
        "blanks and a second line | '  test-user-pin-1234 \t\nsecond line\n'",
      })
  void read_givesTheFirstLineWithoutSurroundingBlanks(String what, String content)
      throws IOException {
    Path file = dir.resolve("pin");
    Files.writeString(file, content, StandardCharsets.UTF_8);

    assertArrayEquals("test-user-pin-1234".toCharArray(), PinFile.read(file), what);
  }

  @Test
  void read_keepsBlanksInsideThePin_andDecodesUtf8() throws IOException {
    Path file = dir.resolve("pin");
    Files.writeString(file, "pïn with spaces\n", StandardCharsets.UTF_8);

    assertArrayEquals("pïn with spaces".toCharArray(), PinFile.read(file));
  }

  @Test
  void read_ofAnEmptyFile_isAnEmptyPin() throws IOException {
    Path file = Files.createFile(dir.resolve("pin"));

    assertArrayEquals(new char[0], PinFile.read(file));
  }

  @Test
  void read_ofAMissingFile_failsWithItsName() {
    Path file = dir.resolve("missing");

    NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> PinFile.read(file));
    assertEquals(file.toString(), e.getFile());
  }
}
