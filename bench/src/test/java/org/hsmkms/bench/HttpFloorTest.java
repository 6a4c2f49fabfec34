package org.hsmkms.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpFloorTest {
  private static final String JAVA =
      ProcessHandle.current()
          .info()
          .command()
          .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());

  @Test
  void aFloorThatCannotStart_failsWithWhatItSaid() {
    // A JVM that exits at once: its main class does not exist. The bench turns this failure into
    // the note "HTTP floor not measured: ..." and goes on.
    List<String> command =
        List.of(JAVA, "-cp", System.getProperty("java.class.path"), "NoSuchFloorMain");

    IOException e = assertThrows(IOException.class, () -> HttpFloor.start(command));

    assertTrue(e.getMessage().startsWith("the HTTP floor server did not start: "), e.getMessage());
    assertTrue(e.getMessage().contains("NoSuchFloorMain"), e.getMessage());
  }

  @Test
  void theFloorServer_saysWhereItListens_andAnswersWithItsFixedBody() throws Exception {
    try (HttpFloor floor = HttpFloor.start()) {
      HttpResponse<String> answer =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(floor.endpoint())
                      .POST(HttpRequest.BodyPublishers.ofString("{}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, answer.statusCode());
      assertEquals(HttpFloor.BODY, answer.body());
    }
  }
}
