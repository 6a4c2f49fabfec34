package org.hsmkms.bench;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.hsmkms.config.DevDefaults;

/**
 * What one bench run does: where the server is and how to sign for it, which operations, what load
 * (closed loop at a concurrency, or open loop at a rate), and what to compare with.
 *
 * @param accessKeyId with {@code secretAccessKey}, or both null to read {@code dataDir/credentials}
 * @param operations operation names as {@link Operations#expand} gives them
 * @param keyId the CMK to use, or null to create one and schedule its deletion at the end
 * @param keys how many CMKs to create and spread the requests over (1 unless asked)
 * @param pid a local process (the server) whose resident memory is sampled during the run, or null
 * @param dataDir a dev server's data directory: credentials, and the token for {@code --ceiling}
 * @param config a production config, for {@code --ceiling} against its token
 * @param floor also measure the HTTP floor ({@link HttpFloor}) under the same load
 * @param policies sign the measured requests as a non-admin principal the bench adds to the
 *     server's credentials file ({@code --data-dir}, or {@code --config} if given), on keys with a
 *     realistic key policy ({@link BenchPolicy}), the set-up still signed with the access key given
 * @param context without {@code --policies}: the measured requests carry the encryption context of
 *     {@code --policies} all the same, so that the two runs differ by authorization alone
 * @param json where to write the report as JSON too, or null
 */
public record BenchOptions(
    URI endpoint,
    String accessKeyId,
    String secretAccessKey,
    String region,
    List<String> operations,
    String keyId,
    int keys,
    Long pid,
    Load load,
    boolean ceiling,
    boolean moto,
    boolean floor,
    boolean policies,
    boolean context,
    Path dataDir,
    Path config,
    Path json) {

  /** The dev server's endpoint: {@code ./hsm-kms dev} listens there by default. */
  public static final URI DEFAULT_ENDPOINT =
      URI.create("http://127.0.0.1:" + DevDefaults.get().port());

  public BenchOptions {
    operations = List.copyOf(operations);
    if ((accessKeyId == null) != (secretAccessKey == null)) {
      throw new IllegalArgumentException("give both --access-key-id and --secret-access-key");
    }
    if (accessKeyId == null && dataDir == null) {
      throw new IllegalArgumentException(
          "give --data-dir DIR (of ./hsm-kms dev) or --access-key-id and --secret-access-key");
    }
    if (keys < 1) {
      throw new IllegalArgumentException("--keys must be at least 1");
    }
    if (keys > 1 && keyId != null) {
      throw new IllegalArgumentException("give --key-id or --keys, not both");
    }
    if (policies && keyId != null) {
      throw new IllegalArgumentException("--policies creates its keys: give --keys, not --key-id");
    }
    if (policies && dataDir == null && config == null) {
      throw new IllegalArgumentException(
          "--policies adds its principal to the server's credentials: give --data-dir DIR or"
              + " --config FILE");
    }
    if (ceiling && dataDir == null && config == null) {
      throw new IllegalArgumentException("--ceiling needs --data-dir DIR or --config FILE");
    }
  }

  /**
   * How hard to push: {@code concurrency} virtual users, or with a {@code rate} that many requests
   * a second on a fixed schedule (and at most {@code concurrency} connections).
   *
   * @param rate requests per second for the open loop, or null for the closed loop
   */
  public record Load(int concurrency, Double rate, Duration warmup, Duration duration) {
    public Load {
      if (concurrency < 1) {
        throw new IllegalArgumentException("--concurrency must be at least 1");
      }
      if (rate != null && !(rate > 0)) {
        throw new IllegalArgumentException("--rate must be positive");
      }
      if (duration.isZero() || duration.isNegative() || warmup.isNegative()) {
        throw new IllegalArgumentException("--duration must be positive, --warmup not negative");
      }
    }

    public boolean openLoop() {
      return rate != null;
    }

    /** "closed loop, 16 concurrent requests" or "open loop at 5000 req/s (...)". */
    public String describe() {
      if (!openLoop()) {
        return "closed loop, " + concurrency + " concurrent requests";
      }
      String r = rate == Math.rint(rate) ? String.valueOf(rate.longValue()) : String.valueOf(rate);
      return "open loop at " + r + " req/s (at most " + concurrency + " connections)";
    }
  }

  /** Parses the command line of {@code hsm-kms bench}. */
  public static BenchOptions parse(String[] args) {
    URI endpoint = DEFAULT_ENDPOINT;
    String accessKeyId = null;
    String secret = null;
    String region = "us-east-1";
    List<String> ops = Operations.DEFAULT;
    String keyId = null;
    int keys = 1;
    Long pid = null;
    int concurrency = 16;
    Double rate = null;
    Duration warmup = Duration.ofSeconds(3);
    Duration duration = Duration.ofSeconds(10);
    boolean ceiling = false;
    boolean moto = false;
    boolean floor = false;
    boolean policies = false;
    boolean context = false;
    Path dataDir = null;
    Path config = null;
    Path json = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--endpoint" -> endpoint = URI.create(value(args, ++i, a));
        case "--access-key-id" -> accessKeyId = value(args, ++i, a);
        case "--secret-access-key" -> secret = value(args, ++i, a);
        case "--region" -> region = value(args, ++i, a);
        case "--ops" -> ops = Operations.expand(List.of(value(args, ++i, a).split(",")));
        case "--key-id" -> keyId = value(args, ++i, a);
        case "--keys" -> keys = Integer.parseInt(value(args, ++i, a));
        case "--pid" -> pid = Long.parseLong(value(args, ++i, a));
        case "--concurrency" -> concurrency = Integer.parseInt(value(args, ++i, a));
        case "--rate" -> rate = Double.parseDouble(value(args, ++i, a));
        case "--warmup" -> warmup = seconds(value(args, ++i, a));
        case "--duration" -> duration = seconds(value(args, ++i, a));
        case "--ceiling" -> ceiling = true;
        case "--moto" -> moto = true;
        case "--floor" -> floor = true;
        case "--policies" -> policies = true;
        case "--context" -> context = true;
        case "--data-dir" -> dataDir = Path.of(value(args, ++i, a));
        case "--config" -> config = Path.of(value(args, ++i, a));
        case "--json" -> json = Path.of(value(args, ++i, a));
        default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
      }
    }
    return new BenchOptions(
        endpoint,
        accessKeyId,
        secret,
        region,
        ops,
        keyId,
        keys,
        pid,
        new Load(concurrency, rate, warmup, duration),
        ceiling,
        moto,
        floor,
        policies,
        context,
        dataDir,
        config,
        json);
  }

  static final String USAGE =
      String.join(
          "\n",
          "usage: hsm-kms bench [--endpoint URL] (--data-dir DIR | --access-key-id ID"
              + " --secret-access-key SECRET)",
          "         [--region R] [--ops OP,OP...] [--key-id KEY | --keys N] [--pid PID]",
          "         [--concurrency N] [--rate REQ_PER_S] [--warmup S] [--duration S]",
          "         [--ceiling [--config FILE]] [--floor] [--moto] [--policies | --context]"
              + " [--json FILE]",
          "--policies: the measured requests are signed by arn:aws:iam::ACCOUNT:user/"
              + BenchPolicy.USER_NAME
              + ", a non-admin principal added",
          "  with 'credentials add' to the server of --data-dir (or --config), on keys whose"
              + " policy allows it",
          "  with an encryption context; any failed request fails the run (exit status 1)",
          "--context: without --policies, the requests carry that encryption context all the"
              + " same (to compare the two)",
          "operations: " + String.join(",", Operations.names()),
          "  (GenerateDataKeyPair alone means every key pair spec; default: all)",
          "--hsm-latency MS: measures a dev server the bench starts, whose every PKCS#11 call"
              + " takes MS more ('--hsm-latency 1 --help')",
          "--scenario noisy-tenant: a noisy and a quiet tenant on a dev server the bench starts"
              + " ('--scenario noisy-tenant --help')");

  private static Duration seconds(String s) {
    double v = Double.parseDouble(s);
    return Duration.ofNanos(Math.round(v * 1e9));
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  /** Never shows the secret. */
  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    parts.add("endpoint=" + endpoint);
    parts.add("accessKeyId=" + accessKeyId);
    parts.add("secret=" + (secretAccessKey == null ? null : "[REDACTED]"));
    parts.add("ops=" + operations);
    parts.add("load=" + load);
    parts.add("policies=" + policies);
    parts.add("context=" + context);
    return "BenchOptions" + parts;
  }
}
