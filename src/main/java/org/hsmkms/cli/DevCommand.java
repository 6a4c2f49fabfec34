package org.hsmkms.cli;

import static org.hsmkms.cli.CommandLine.ENV_ACCESS_KEY_ID;
import static org.hsmkms.cli.CommandLine.ENV_SECRET_ACCESS_KEY;
import static org.hsmkms.cli.CommandLine.notEmpty;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.hsmkms.Application;
import org.hsmkms.DevCredentials;
import org.hsmkms.auth.CredentialsAdmin;
import org.hsmkms.config.Audit;
import org.hsmkms.config.Config;
import org.hsmkms.config.DevDefaults;
import org.hsmkms.config.Warmup;

/**
 * {@code dev}: a development server on 127.0.0.1 with the SoftHSM2 token and embedded store of a
 * data directory the launcher has prepared, and an access key written for the AWS CLI.
 */
public final class DevCommand {
  private final DevDefaults defaults = DevDefaults.get();
  private int port = defaults.port();
  private Path dataDir = Path.of(defaults.dataDir());
  private String account = defaults.accountId();
  private String region = defaults.region();
  private String module;
  private Integer sessions;
  private Integer workingCopies;

  /**
   * 0 (the default): a free port the system chooses, so that nodes on one machine do not collide;
   * -1 for none.
   */
  private int managementPort = 0;

  /** {@code --store postgresql}: a node of the data directory's local PostgreSQL cluster. */
  private boolean postgresql;

  /** The cluster when {@link #postgresql} without {@link #storeUrl}, else null. */
  private DevPostgres cluster;

  /**
   * {@code --store-url}: an existing PostgreSQL database instead of the data directory's own
   * cluster (with {@code --store-user} and {@code --store-password-file}); null for none.
   */
  private String storeUrl;

  private String storeUser;
  private String storePasswordFile;
  private Integer deletionCheckSeconds;
  private final QuotaFlags quotaFlags = new QuotaFlags();

  /** {@code --no-warmup}: serve as soon as open, without the start-up warm-up (to compare). */
  private boolean noWarmup;

  /** {@code --audit-fsync}: every audit record forced to disk before its answer (audit.fsync). */
  private boolean auditFsync;

  private String accessKeyId = System.getenv(ENV_ACCESS_KEY_ID);
  private String secret = System.getenv(ENV_SECRET_ACCESS_KEY);

  /** Where the access key came from, when it was not generated; null for none. */
  private String source;

  /** Whether {@code --store} was given (a plain dev on a cluster's data directory is refused). */
  private boolean storeGiven;

  private DevCommand() {}

  public static void run(String[] args) throws IOException {
    new DevCommand().start(args);
  }

  private void start(String[] args) throws IOException {
    List<String> ignored = parse(new CommandLine(args, 1));
    if (storeUrl != null && !postgresql) {
      throw new IllegalArgumentException("--store-url is for --store postgresql");
    }
    chooseAccessKey();
    dataDir = dataDir.toAbsolutePath();
    if (!storeGiven && Files.exists(dataDir.resolve(DevPostgres.PORT_FILE))) {
      // Its keys' metadata is in the cluster: an embedded store beside it would know none of them.
      throw new IllegalArgumentException(
          dataDir
              + " is the data directory of a PostgreSQL dev cluster: start its nodes with"
              + " --store postgresql (or --store sqlite for a separate embedded store)");
    }
    Config devConfig =
        DevDataDir.config(
            dataDir, port, account, region, module, sessions, workingCopies, deletionCheckSeconds);
    Config node =
        nodeConfig(devConfig.withServer(devConfig.server().withManagementPort(managementPort)))
            .withQuotas(quotaFlags.quotas())
            .withWarmup(noWarmup ? Warmup.off() : Warmup.defaults());
    Config config = auditFsync ? node.withAudit(node.audit().withFsync(true)) : node;
    if (!ignored.isEmpty()) {
      System.err.println("hsm-kms: ignoring options not supported yet: " + ignored);
    }
    String endpoint = "http://127.0.0.1:" + port;
    DevCredentials.Result[] prepared = new DevCredentials.Result[1];
    byte[] secretBytes = notEmpty(secret) ? secret.getBytes(StandardCharsets.UTF_8) : null;
    String fixedId = secretBytes == null ? null : accessKeyId;
    Application app =
        Startup.start(
            config,
            // Written with the HSM the service then uses: SoftHSM2 reads the whole token each
            // time it is opened.
            // Nodes of one data directory started together write one access key, one at a time.
            hsm ->
                prepared[0] =
                    DevDataDir.underLock(
                        dataDir.resolve("credentials.lock"),
                        () ->
                            DevCredentials.prepare(
                                dataDir,
                                new CredentialsAdmin(
                                    Path.of(config.credentials().file()),
                                    hsm.serviceKeys(),
                                    hsm.random()),
                                account,
                                region,
                                endpoint,
                                fixedId,
                                secretBytes)));
    // The port asked for, or the one found when that was 0.
    printWelcome(System.out, config, "http://127.0.0.1:" + app.port(), prepared[0]);
    if (app.managementPort() > 0) {
      System.out.println(
          "  health and metrics: http://127.0.0.1:"
              + app.managementPort()
              + "/health/ready, /health/live, /metrics");
      System.out.println();
    }
  }

  /**
   * With {@code --store postgresql}: the store of the data directory's cluster (made or started now
   * if need be) and an audit trail of this node's own, one writer per file.
   */
  private Config nodeConfig(Config config) throws IOException {
    if (!postgresql) {
      return config;
    }
    Config.Store store;
    if (storeUrl != null) {
      store = new Config.Store(storeUrl, storeUser, null, storePasswordFile, null, null);
    } else {
      cluster = DevPostgres.of(dataDir);
      store = cluster.startOrReuse();
    }
    return config
        .withStore(store)
        .withAudit(Audit.toFile(dataDir.resolve("audit-" + port + ".log").toString()));
  }

  /** Reads the options; returns those it does not know, which are ignored. */
  private List<String> parse(CommandLine options) {
    List<String> ignored = new ArrayList<>();
    while (options.hasNext()) {
      String a = options.next();
      switch (a) {
        case "--port" -> port = options.intValue(a);
        case "--data-dir" -> dataDir = Path.of(options.value(a));
        case "--account-id" -> account = options.value(a);
        case "--region" -> region = options.value(a);
        case "--module" -> module = options.value(a);
        case "--sessions" -> sessions = options.intValue(a);
        case "--working-copies" -> workingCopies = options.intValue(a);
        case "--management-port" -> managementPort = options.intValue(a);
        case "--store" -> {
          postgresql = store(options.value(a));
          storeGiven = true;
        }
        case "--store-url" -> storeUrl = options.value(a);
        case "--store-user" -> storeUser = options.value(a);
        case "--store-password-file" -> storePasswordFile = options.value(a);
        case "--deletion-check-seconds" -> deletionCheckSeconds = options.intValue(a);
        case "--access-key-id" -> accessKeyId = options.value(a);
        case "--secret-access-key" -> secret = options.value(a);
        case "--no-warmup" -> noWarmup = true;
        case "--audit-fsync" -> auditFsync = true;
        default -> {
          if (!quotaFlags.read(a, options)) {
            options.skipValueOf(a);
            ignored.add(a);
          }
        }
      }
    }
    return ignored;
  }

  /** {@code --store}: true for {@code postgresql}, false for {@code sqlite} (the default). */
  private static boolean store(String value) {
    return switch (value) {
      case "postgresql" -> true;
      case "sqlite" -> false;
      default ->
          throw new IllegalArgumentException(
              "--store takes sqlite (the default) or postgresql, not " + value);
    };
  }

  /** A pair given whole, else the AWS variables' pair, else none (kept or generated later). */
  private void chooseAccessKey() {
    if (notEmpty(accessKeyId) != notEmpty(secret)) {
      throw new IllegalArgumentException(
          "give both --access-key-id and --secret-access-key ("
              + ENV_ACCESS_KEY_ID
              + " and "
              + ENV_SECRET_ACCESS_KEY
              + "), or neither");
    }
    source = notEmpty(accessKeyId) ? "given" : null;
    if (source == null
        && notEmpty(System.getenv("AWS_ACCESS_KEY_ID"))
        && notEmpty(System.getenv("AWS_SECRET_ACCESS_KEY"))) {
      // A script that exports a pair and then starts dev and the aws CLI just works.
      accessKeyId = System.getenv("AWS_ACCESS_KEY_ID");
      secret = System.getenv("AWS_SECRET_ACCESS_KEY");
      source = "from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY";
    }
  }

  private void printWelcome(
      PrintStream out, Config config, String endpoint, DevCredentials.Result key) {
    Path awsFile = dataDir.resolve(DevCredentials.CLIENT_FILE);
    out.println();
    out.println("hsm-kms (dev) is listening on " + endpoint);
    out.println(
        "  account "
            + account
            + ", default region "
            + region
            + ", token '"
            + defaults.tokenLabel()
            + "', data in "
            + dataDir);
    out.println(
        "  access key "
            + key.accessKeyId()
            + (key.generated() ? " (new)" : source != null ? " (" + source + ")" : "")
            + ": profile '"
            + DevCredentials.PROFILE
            + "' in "
            + awsFile);
    out.println("  every request must be signed with it; audit trail in " + config.audit().file());
    if (cluster != null) {
      out.println(
          "  metadata in the PostgreSQL cluster "
              + cluster.cluster()
              + " ("
              + config.store().url()
              + "), shared by every node of this data directory: start another with"
              + " ./hsm-kms dev --store postgresql --data-dir "
              + dataDir
              + " --port <another port>");
      out.println("  the cluster outlives the nodes; stop it with: " + cluster.stopCommand());
    } else if (storeUrl != null) {
      out.println("  metadata in the PostgreSQL database " + storeUrl);
    }
    out.println("Try:");
    out.println(
        "  AWS_SHARED_CREDENTIALS_FILE="
            + awsFile
            + " aws --profile "
            + DevCredentials.PROFILE
            + " --endpoint-url "
            + endpoint
            + " kms create-key");
    out.println("or, for a whole shell:");
    out.println(
        "  export AWS_SHARED_CREDENTIALS_FILE="
            + awsFile
            + " AWS_PROFILE="
            + DevCredentials.PROFILE);
    out.println("  aws kms generate-data-key --key-id <KeyId> --key-spec AES_256");
    out.println();
  }
}
