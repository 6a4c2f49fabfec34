package org.hsmkms.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * The defaults of {@code hsm-kms dev}: port, data directory, account, region, the label of the
 * SoftHSM2 token and where SoftHSM2's module may be. They are written once, in {@code
 * dev-defaults.properties}, which the launcher ({@code ./hsm-kms}) reads from the repository and
 * this class from the jar.
 */
public record DevDefaults(
    int port,
    String dataDir,
    String accountId,
    String region,
    String tokenLabel,
    List<String> softhsm2Modules) {
  /** The file's name, in the jar's root and in {@code src/main/resources}. */
  public static final String RESOURCE = "dev-defaults.properties";

  private static final Set<String> NAMES =
      Set.of("port", "dataDir", "accountId", "region", "tokenLabel", "softhsm2Modules");

  public DevDefaults {
    softhsm2Modules = List.copyOf(softhsm2Modules);
  }

  /** The defaults the jar carries. */
  public static DevDefaults get() {
    return Loaded.DEFAULTS;
  }

  /** Reads the defaults from the text of a {@code dev-defaults.properties} file. */
  public static DevDefaults parse(Properties p) {
    for (String name : p.stringPropertyNames()) {
      if (!NAMES.contains(name)) {
        throw new IllegalArgumentException(RESOURCE + ": unknown name " + name);
      }
    }
    return new DevDefaults(
        Integer.parseInt(required(p, "port")),
        required(p, "dataDir"),
        required(p, "accountId"),
        required(p, "region"),
        required(p, "tokenLabel"),
        List.of(required(p, "softhsm2Modules").split(":")));
  }

  /** The first of {@link #softhsm2Modules} that exists on this machine. */
  public Optional<String> softhsm2Module() {
    return softhsm2Modules.stream().filter(m -> Files.exists(Path.of(m))).findFirst();
  }

  private static String required(Properties p, String name) {
    String value = p.getProperty(name);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(RESOURCE + ": " + name + " is missing");
    }
    return value;
  }

  /** Read on first use. */
  private static final class Loaded {
    static final DevDefaults DEFAULTS = load();

    private static DevDefaults load() {
      try (InputStream in = DevDefaults.class.getResourceAsStream("/" + RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException(RESOURCE + " is missing from the class path");
        }
        Properties p = new Properties();
        p.load(in);
        return parse(p);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
