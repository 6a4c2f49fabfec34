package org.hsmkms.kms;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The kms/ services over the test token for one test class, registered as {@code @RegisterExtension
 * static final TokenFixture TOKEN = TokenFixture.perTest();}: the token is opened once for the
 * class; the services and their store are made anew for each test ({@link #perTest()}) or once for
 * the class ({@link #perClass()}). They are ready before the class's own {@code @BeforeAll} /
 * {@code @BeforeEach} methods run, and closed (token objects of their keys destroyed, store
 * deleted) after its {@code @AfterEach} / {@code @AfterAll}.
 */
final class TokenFixture
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
  private final boolean perTest;
  private Pkcs11Hsm hsm;
  private TokenServices services;
  private Path dir;

  private TokenFixture(boolean perTest) {
    this.perTest = perTest;
  }

  /** A fresh store (and services) for every test. */
  static TokenFixture perTest() {
    return new TokenFixture(true);
  }

  /** One store (and services) shared by the tests of the class. */
  static TokenFixture perClass() {
    return new TokenFixture(false);
  }

  /** The open test token. */
  Pkcs11Hsm hsm() {
    return hsm;
  }

  /** The services of the current test (or class). */
  TokenServices services() {
    return services;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    hsm = TokenServices.openHsm();
    if (!perTest) {
      open();
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (perTest) {
      open();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (perTest) {
      close();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      if (!perTest) {
        close();
      }
    } finally {
      hsm.close();
    }
  }

  private void open() {
    try {
      dir = Files.createTempDirectory("hsm-kms-token-services");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    services = new TokenServices(hsm, dir);
  }

  private void close() {
    try {
      services.close();
    } finally {
      services = null;
      deleteTree(dir);
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
