package org.hsmkms.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.hsmkms.auth.SigV4Signer;
import org.hsmkms.bench.SignedClient.Answer;

/**
 * The non-admin principal of {@code --policies}, {@code arn:aws:iam::ACCOUNT:user/bench-app}: added
 * to the server's credentials file with the launcher's {@code credentials add} (in the account of
 * the access key the bench signs its set-up with, and with {@link BenchPolicy#IDENTITY_POLICY}),
 * accepted by the server once it has reloaded that file, and removed again when the run ends.
 *
 * <p>Security: its secret is made here from {@link SecureRandom} for this run only, handed to the
 * command in its environment, and never printed.
 */
final class BenchPrincipal {
  /** What a server answers while it does not know an access key, or knows an older secret of it. */
  private static final Set<String> NOT_YET_AUTHENTICATED =
      Set.of("UnrecognizedClientException", "InvalidSignatureException");

  private static final long POLL_MILLIS = 100;

  private final CredentialsTool tool;
  private final String account;
  private final String arn;
  private final String keyAdministrator;
  private final String secret;

  private BenchPrincipal(
      CredentialsTool tool, String account, String arn, String keyAdministrator, String secret) {
    this.tool = tool;
    this.account = account;
    this.arn = arn;
    this.keyAdministrator = keyAdministrator;
    this.secret = secret;
  }

  /**
   * Adds the bench principal in the account of {@code adminAccessKeyId}, which the credentials file
   * must hold (the bench signs its set-up with it; its principal becomes the key administrator).
   */
  static BenchPrincipal add(CredentialsTool tool, String adminAccessKeyId) throws IOException {
    List<CredentialsTool.Entry> entries = tool.list();
    CredentialsTool.Entry admin =
        entries.stream()
            .filter(e -> e.accessKeyId().equals(adminAccessKeyId))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "--policies: the access key "
                            + adminAccessKeyId
                            + " is not in the server's credentials file (the bench adds its"
                            + " principal there, so it must be the file of the server measured)"));
    String arn = BenchPolicy.principal(admin.account());
    if (arn.equals(admin.principalArn())) {
      throw new IllegalArgumentException(
          "--policies: sign the set-up with an administrator other than " + arn);
    }
    byte[] random = new byte[30];
    new SecureRandom().nextBytes(random);
    String secret = Base64.getEncoder().encodeToString(random);
    tool.add(BenchPolicy.ACCESS_KEY_ID, admin.account(), arn, secret, BenchPolicy.IDENTITY_POLICY);
    return new BenchPrincipal(tool, admin.account(), arn, admin.principalArn(), secret);
  }

  String account() {
    return account;
  }

  /** {@code arn:aws:iam::ACCOUNT:user/bench-app}. */
  String arn() {
    return arn;
  }

  /** The principal the set-up is signed with, the bench keys' administrator. */
  String keyAdministrator() {
    return keyAdministrator;
  }

  SigV4Signer signer(String region) {
    return new SigV4Signer(
        BenchPolicy.ACCESS_KEY_ID, secret.getBytes(StandardCharsets.UTF_8), region, "kms", true);
  }

  /**
   * Waits until {@code client} (signed as this principal) is authenticated: the server reloads its
   * credentials file every few seconds ({@code credentials.reloadIntervalSeconds}, 5 by default).
   * Any answer but an authentication error will do; whether the request is allowed is for the run
   * to find out.
   */
  void awaitAuthenticated(SignedClient client, Duration timeout) throws IOException {
    awaitAuthenticated(client, timeout, "--policies: " + arn);
  }

  /**
   * Waits until {@code client} gets any answer but an authentication error: the server has read the
   * access key it signs with.
   *
   * @param who the principal, for the error when the server never accepts it
   */
  static void awaitAuthenticated(SignedClient client, Duration timeout, String who)
      throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] probe = Operations.json(java.util.Map.of("NumberOfBytes", 1));
    while (true) {
      Answer a = client.call(Operations.GENERATE_RANDOM, probe);
      if (a.ok() || !NOT_YET_AUTHENTICATED.contains(a.errorType())) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "the server did not accept the access key of "
                + who
                + " within "
                + timeout.toSeconds()
                + " s of adding it (last answer "
                + a.errorType()
                + "); does it read the credentials file the bench wrote?");
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
  }

  /**
   * Removes the access key and identity policy of the principal; what cannot be removed leaves a
   * note (the next run replaces it).
   */
  void remove(List<String> notes) {
    try {
      tool.remove(BenchPolicy.ACCESS_KEY_ID);
      tool.removePolicy(arn);
    } catch (IOException e) {
      notes.add("could not remove the bench principal " + arn + ": " + e.getMessage());
    }
  }
}
