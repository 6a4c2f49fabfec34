package org.hsmkms;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.hsmkms.auth.CredentialsAdmin;
import org.hsmkms.auth.CredentialsFile;
import org.hsmkms.config.Config;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;
import org.hsmkms.hsm.pkcs11.Pkcs11Settings;

/**
 * Command line: {@code dev} (SoftHSM2 token and embedded store prepared by the launcher in a data
 * directory), {@code serve --config FILE} (production), {@code credentials add|remove|list} (the
 * access keys of either).
 */
public final class Main {
  static final String DEV_TOKEN_LABEL = "hsm-kms-dev";
  static final String ENV_ACCESS_KEY_ID = "HSM_KMS_ACCESS_KEY_ID";
  static final String ENV_SECRET_ACCESS_KEY = "HSM_KMS_SECRET_ACCESS_KEY";
  private static final List<String> SOFTHSM_PATHS =
      List.of(
          "/usr/lib/softhsm/libsofthsm2.so",
          "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
          "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
          "/usr/local/lib/softhsm/libsofthsm2.so");

  private Main() {}

  public static void main(String[] args) {
    PrintStream out = System.out;
    if (args.length == 0) {
      usage(out);
      System.exit(2);
    }
    try {
      switch (args[0]) {
        case "dev" -> dev(args);
        case "serve" -> serve(args);
        case "credentials" -> credentials(args);
        case "help", "--help", "-h" -> usage(out);
        default -> {
          System.err.println("unknown command: " + args[0]);
          usage(System.err);
          System.exit(2);
        }
      }
    } catch (IllegalArgumentException | IOException | HsmException e) {
      System.err.println("hsm-kms: " + e.getMessage());
      System.exit(2);
    }
  }

  private static void usage(PrintStream out) {
    out.println(
        "usage: hsm-kms dev [--port N] [--data-dir DIR] [--account-id ID] [--region R]"
            + " [--module PATH] [--sessions N] [--working-copies N]");
    out.println("                   [--access-key-id ID --secret-access-key SECRET]");
    out.println("       hsm-kms serve --config FILE");
    out.println(
        "       hsm-kms credentials add (--config FILE | --data-dir DIR)"
            + " [--access-key-id ID] [--account-id ID] [--principal ARN]");
    out.println(
        "       hsm-kms credentials remove (--config FILE | --data-dir DIR)"
            + " --access-key-id ID");
    out.println("       hsm-kms credentials list (--config FILE | --data-dir DIR)");
    out.println(
        "The secret of 'credentials add' comes from HSM_KMS_SECRET_ACCESS_KEY if set,"
            + " else it is generated and printed once.");
  }

  private static void dev(String[] args) throws IOException {
    int port = 4599;
    Path dataDir = Path.of(".dev");
    String account = "111122223333";
    String region = "us-east-1";
    String module = null;
    Integer sessions = null;
    Integer workingCopies = null;
    String accessKeyId = System.getenv(ENV_ACCESS_KEY_ID);
    String secret = System.getenv(ENV_SECRET_ACCESS_KEY);
    List<String> ignored = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--port" -> port = Integer.parseInt(value(args, ++i, a));
        case "--data-dir" -> dataDir = Path.of(value(args, ++i, a));
        case "--account-id" -> account = value(args, ++i, a);
        case "--region" -> region = value(args, ++i, a);
        case "--module" -> module = value(args, ++i, a);
        case "--sessions" -> sessions = Integer.parseInt(value(args, ++i, a));
        case "--working-copies" -> workingCopies = Integer.parseInt(value(args, ++i, a));
        case "--access-key-id" -> accessKeyId = value(args, ++i, a);
        case "--secret-access-key" -> secret = value(args, ++i, a);
        default -> {
          if (a.startsWith("--") && i + 1 < args.length && !args[i + 1].startsWith("--")) {
            i++;
          }
          ignored.add(a);
        }
      }
    }
    if ((accessKeyId == null || accessKeyId.isEmpty()) != (secret == null || secret.isEmpty())) {
      throw new IllegalArgumentException(
          "give both --access-key-id and --secret-access-key ("
              + ENV_ACCESS_KEY_ID
              + " and "
              + ENV_SECRET_ACCESS_KEY
              + "), or neither");
    }
    String source = accessKeyId == null || accessKeyId.isEmpty() ? null : "given";
    if (source == null
        && notEmpty(System.getenv("AWS_ACCESS_KEY_ID"))
        && notEmpty(System.getenv("AWS_SECRET_ACCESS_KEY"))) {
      // A script that exports a pair and then starts dev and the aws CLI just works.
      accessKeyId = System.getenv("AWS_ACCESS_KEY_ID");
      secret = System.getenv("AWS_SECRET_ACCESS_KEY");
      source = "from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY";
    }
    dataDir = dataDir.toAbsolutePath();
    Config config = devConfig(dataDir, port, account, region, module, sessions, workingCopies);
    if (!ignored.isEmpty()) {
      System.err.println("hsm-kms: ignoring options not supported yet: " + ignored);
    }
    String endpoint = "http://127.0.0.1:" + port;
    DevCredentials.Result[] prepared = new DevCredentials.Result[1];
    byte[] secretBytes =
        secret == null || secret.isEmpty() ? null : secret.getBytes(StandardCharsets.UTF_8);
    Application app =
        run(
            config,
            devCredentials(
                dataDir,
                config,
                account,
                region,
                endpoint,
                secretBytes == null ? null : accessKeyId,
                secretBytes,
                prepared));
    DevCredentials.Result key = prepared[0];
    if (app.port() != port) {
      endpoint = "http://127.0.0.1:" + app.port();
    }
    Path awsFile = dataDir.resolve(DevCredentials.CLIENT_FILE);
    System.out.println();
    System.out.println("hsm-kms (dev) is listening on " + endpoint);
    System.out.println(
        "  account "
            + account
            + ", default region "
            + region
            + ", token '"
            + DEV_TOKEN_LABEL
            + "', data in "
            + dataDir);
    System.out.println(
        "  access key "
            + key.accessKeyId()
            + (key.generated() ? " (new)" : source != null ? " (" + source + ")" : "")
            + ": profile '"
            + DevCredentials.PROFILE
            + "' in "
            + awsFile);
    System.out.println(
        "  every request must be signed with it; audit trail in " + config.audit().file());
    System.out.println("Try:");
    System.out.println(
        "  AWS_SHARED_CREDENTIALS_FILE="
            + awsFile
            + " aws --profile "
            + DevCredentials.PROFILE
            + " --endpoint-url "
            + endpoint
            + " kms create-key");
    System.out.println("or, for a whole shell:");
    System.out.println(
        "  export AWS_SHARED_CREDENTIALS_FILE="
            + awsFile
            + " AWS_PROFILE="
            + DevCredentials.PROFILE);
    System.out.println("  aws kms generate-data-key --key-id <KeyId> --key-spec AES_256");
    System.out.println();
  }

  private static boolean notEmpty(String s) {
    return s != null && !s.isEmpty();
  }

  /**
   * HSM sessions (and workers) of a dev server: twice the cores, at least 4 and at most 16.
   * SoftHSM2 works inside this process, so more sessions than that only add contention (measured in
   * docs/performance.md).
   */
  static int devSessions() {
    return Math.max(4, Math.min(16, 2 * Runtime.getRuntime().availableProcessors()));
  }

  /** The configuration of a dev data directory prepared by the launcher. */
  private static Config devConfig(
      Path dataDir,
      int port,
      String account,
      String region,
      String module,
      Integer sessions,
      Integer workingCopies) {
    if (module == null) {
      module =
          SOFTHSM_PATHS.stream()
              .filter(p -> Files.exists(Path.of(p)))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "SoftHSM2 library not found; install softhsm2 or pass --module"));
    }
    Path pinFile = dataDir.resolve("pin");
    if (!Files.exists(pinFile)) {
      throw new IllegalArgumentException(
          pinFile
              + " is missing: start through ./hsm-kms dev,"
              + " which prepares the data directory");
    }
    return new Config(
        new Config.Server("127.0.0.1", port, null),
        account,
        region,
        new Config.Hsm(
            module,
            DEV_TOKEN_LABEL,
            null,
            pinFile.toString(),
            sessions == null ? devSessions() : sessions,
            null,
            workingCopies),
        new Config.Store("jdbc:sqlite:" + dataDir.resolve("metadata.db")),
        new Config.Deletion(null),
        new Config.Credentials(dataDir.resolve(DevCredentials.SERVER_FILE).toString(), null),
        Config.Audit.toFile(dataDir.resolve("audit.log").toString()));
  }

  /**
   * {@code credentials add|remove|list}: manages the access keys of a server's credentials file,
   * sealing secrets in its HSM. The running server picks the change up by itself.
   */
  private static void credentials(String[] args) throws IOException {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: hsm-kms credentials add|remove|list ...");
    }
    String action = args[1];
    Config config = null;
    String accessKeyId = null;
    String account = null;
    String principal = null;
    for (int i = 2; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--config" -> config = loadConfig(value(args, ++i, a));
        case "--data-dir" -> {
          Path dir = Path.of(value(args, ++i, a)).toAbsolutePath();
          config = devConfig(dir, 0, "111122223333", "us-east-1", null, null, null);
        }
        case "--access-key-id" -> accessKeyId = value(args, ++i, a);
        case "--account-id" -> account = value(args, ++i, a);
        case "--principal" -> principal = value(args, ++i, a);
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    if (config == null || config.credentials() == null) {
      throw new IllegalArgumentException(
          "give --config FILE (with credentials.file) or" + " --data-dir DIR");
    }
    Path file = Path.of(config.credentials().file());
    try (Pkcs11Hsm hsm = openHsm(config)) {
      CredentialsAdmin admin = new CredentialsAdmin(file, hsm.serviceKeys(), hsm.random());
      switch (action) {
        case "list" -> {
          for (CredentialsFile.Entry e : admin.list()) {
            System.out.println(e.accessKeyId() + "\t" + e.account() + "\t" + e.principalArn());
          }
        }
        case "remove" -> {
          if (accessKeyId == null) {
            throw new IllegalArgumentException("remove needs --access-key-id");
          }
          if (!admin.remove(accessKeyId)) {
            throw new IllegalArgumentException("no access key " + accessKeyId + " in " + file);
          }
          System.out.println("removed " + accessKeyId + " from " + file);
        }
        case "add" -> add(admin, file, config, accessKeyId, account, principal);
        default ->
            throw new IllegalArgumentException(
                "unknown action " + action + " (add, remove or list)");
      }
    }
  }

  private static void add(
      CredentialsAdmin admin,
      Path file,
      Config config,
      String accessKeyId,
      String account,
      String principal)
      throws IOException {
    account = account == null ? config.accountId() : account;
    String given = System.getenv(ENV_SECRET_ACCESS_KEY);
    byte[] secret;
    boolean generated = false;
    if (given != null && !given.isEmpty()) {
      if (accessKeyId == null) {
        throw new IllegalArgumentException(
            "a secret from " + ENV_SECRET_ACCESS_KEY + " needs --access-key-id");
      }
      secret = given.getBytes(StandardCharsets.UTF_8);
    } else {
      CredentialsAdmin.NewKey key = admin.generate();
      accessKeyId = accessKeyId == null ? key.accessKeyId() : accessKeyId;
      secret = key.secret();
      generated = true;
    }
    try {
      principal =
          principal == null ? "arn:aws:iam::" + account + ":user/" + accessKeyId : principal;
      admin.put(accessKeyId, account, principal, secret);
      System.err.println("added " + accessKeyId + " (" + principal + ") to " + file);
      if (generated) {
        // The only time the secret is shown: the file keeps it sealed in the HSM.
        System.out.println("aws_access_key_id = " + accessKeyId);
        System.out.println("aws_secret_access_key = " + new String(secret, StandardCharsets.UTF_8));
      }
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  private static Pkcs11Hsm openHsm(Config config) throws IOException {
    return openHsm(config, 1);
  }

  private static Pkcs11Hsm openHsm(Config config, int sessions) throws IOException {
    char[] pin = readPin(config.hsm());
    try {
      Config.Hsm h = config.hsm();
      return Pkcs11Hsm.open(
          new Pkcs11Settings(
              h.module(), h.tokenLabel(), pin, sessions, h.sessionWaitMillis(), h.workingCopies()));
    } finally {
      Arrays.fill(pin, '\0');
    }
  }

  private static Config loadConfig(String path) {
    try {
      return Config.load(Path.of(path));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read config " + path + ": " + e.getMessage());
    }
  }

  private static void serve(String[] args) throws IOException {
    if (args.length != 3 || !"--config".equals(args[1])) {
      throw new IllegalArgumentException("usage: hsm-kms serve --config FILE");
    }
    Config config = loadConfig(args[2]);
    config.checkForServe();
    Application app = run(config);
    System.out.println(
        "hsm-kms is listening on "
            + (config.server().tls() == null ? "http://" : "https://")
            + config.server().host()
            + ":"
            + app.port());
  }

  /**
   * Writes dev's access key, with the HSM the service then uses; the result goes to {@code out[0]}.
   */
  private static Application.Preparation devCredentials(
      Path dataDir,
      Config config,
      String account,
      String region,
      String endpoint,
      String accessKeyId,
      byte[] secret,
      DevCredentials.Result[] out) {
    return hsm ->
        out[0] =
            DevCredentials.prepare(
                dataDir,
                new CredentialsAdmin(
                    Path.of(config.credentials().file()), hsm.serviceKeys(), hsm.random()),
                account,
                region,
                endpoint,
                accessKeyId,
                secret);
  }

  private static Application run(Config config) throws IOException {
    return run(config, hsm -> {});
  }

  private static Application run(Config config, Application.Preparation before) throws IOException {
    char[] pin = readPin(config.hsm());
    Application app = Application.start(config, pin, Clock.systemUTC(), before);
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "hsm-kms-shutdown"));
    return app;
  }

  private static char[] readPin(Config.Hsm hsm) throws IOException {
    if (hsm.pinFile() != null) {
      return readPinFile(Path.of(hsm.pinFile()));
    }
    String pin = System.getenv(hsm.pinEnv());
    if (pin == null || pin.isEmpty()) {
      throw new IllegalArgumentException(
          "environment variable " + hsm.pinEnv() + " (hsm.pinEnv) is not set");
    }
    return pin.toCharArray();
  }

  /** Reads a PIN file's first line; the returned array is the caller's to zero. */
  private static char[] readPinFile(Path file) throws IOException {
    byte[] raw = Files.readAllBytes(file);
    try {
      String s = new String(raw, StandardCharsets.UTF_8);
      int nl = s.indexOf('\n');
      return (nl < 0 ? s : s.substring(0, nl)).strip().toCharArray();
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }
}
