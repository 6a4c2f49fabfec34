package org.hsmkms.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The service's jar ({@code target/hsm-kms.jar}, what is deployed) carries no load generator: no
 * class of the bench, and no {@code bench} command. Built by {@code mvn install} in the repository
 * root before this project's tests run ({@code ./hsm-kms test} does both).
 */
class ServiceJarTest {
  private static final Path SERVICE_JAR =
      Path.of(System.getProperty("hsmkms.serviceJar", "../target/hsm-kms.jar"));

  @Test
  void serviceJar_holdsTheServiceAndNoBenchClass() throws IOException {
    assertTrue(
        Files.isRegularFile(SERVICE_JAR), SERVICE_JAR + " is missing: run mvn install in ..");
    try (JarFile jar = new JarFile(SERVICE_JAR.toFile())) {
      List<String> names = jar.stream().map(JarEntry::getName).toList();

      assertEquals(
          "org.hsmkms.cli.Main", jar.getManifest().getMainAttributes().getValue("Main-Class"));
      assertTrue(
          names.contains("org/hsmkms/cli/Main.class"), "not the service's jar: " + SERVICE_JAR);
      assertEquals(
          List.of(),
          names.stream().filter(n -> n.startsWith("org/hsmkms/bench/")).toList(),
          "the service's jar carries bench classes");
      assertTrue(
          names.stream()
              .noneMatch(n -> n.endsWith("/" + BenchMain.class.getSimpleName() + ".class")),
          "the service's jar carries the bench's entry point");
    }
  }

  /**
   * The bench's HTTP floor and HSM ceiling stand for the service: they run the libraries of the
   * service's jar, each at the version the service ships (bench/pom.xml takes the service's
   * dependency management).
   */
  @Test
  void bench_runsOnTheLibraryVersionsOfTheServiceJar() throws IOException {
    Map<String, String> shipped = new TreeMap<>();
    try (JarFile jar = new JarFile(SERVICE_JAR.toFile())) {
      for (JarEntry e : jar.stream().toList()) {
        if (e.getName().startsWith("META-INF/maven/") && e.getName().endsWith("/pom.properties")) {
          try (InputStream in = jar.getInputStream(e)) {
            shipped.put(e.getName(), version(in));
          }
        }
      }
    }
    Map<String, String> differing = new TreeMap<>();
    ClassLoader loader = ServiceJarTest.class.getClassLoader();
    for (Map.Entry<String, String> library : shipped.entrySet()) {
      List<String> here = new ArrayList<>();
      for (URL url : Collections.list(loader.getResources(library.getKey()))) {
        try (InputStream in = url.openStream()) {
          here.add(version(in));
        }
      }
      if (!here.stream().distinct().toList().equals(List.of(library.getValue()))) {
        differing.put(library.getKey(), "service " + library.getValue() + ", bench " + here);
      }
    }

    assertTrue(shipped.size() > 20, "too few libraries in the service's jar: " + shipped);
    assertEquals(Map.of(), differing);
  }

  private static String version(InputStream pomProperties) throws IOException {
    Properties p = new Properties();
    p.load(pomProperties);
    return p.getProperty("version");
  }

  @Test
  void serviceJar_hasNoBenchCommand() throws Exception {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Process p =
        new ProcessBuilder(java, "-jar", SERVICE_JAR.toString(), "bench", "--help")
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the service's jar did not exit");

    assertEquals(2, p.exitValue(), output);
    assertTrue(output.contains("unknown command: bench"), output);
  }
}
