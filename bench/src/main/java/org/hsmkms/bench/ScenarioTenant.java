package org.hsmkms.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.hsmkms.auth.SigV4Signer;

/**
 * A tenant of a scenario: {@code arn:aws:iam::ACCOUNT:user/NAME}, added to the dev server's
 * credentials with the launcher's {@code credentials add} (identity policy {@code kms:*} on {@code
 * *}, so that only the server's limits, never authorization, refuse it), and the CMK it made.
 *
 * <p>Security: its secret is made here from {@link SecureRandom} for one run of a throwaway server,
 * handed to the command in its environment, and never printed ({@link #toString} leaves it out).
 */
final class ScenarioTenant {
  /** The server reloads its credentials file every 5 s by default: a few reloads. */
  private static final Duration AUTHENTICATION_TIMEOUT = Duration.ofSeconds(60);

  /** What {@code credentials add --admin} gives: every KMS action on every resource. */
  static final String ALL_KMS_ACTIONS =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kms:*\","
          + "\"Resource\":\"*\"}]}";

  private final String name;
  private final String account;
  private final String accessKeyId;
  private final String secret;
  private String keyId;

  private ScenarioTenant(String name, String account, String accessKeyId, String secret) {
    this.name = name;
    this.account = account;
    this.accessKeyId = accessKeyId;
    this.secret = secret;
  }

  /** Adds {@code name} (e.g. {@code noisy}) in {@code account} to the server's credentials. */
  static ScenarioTenant add(CredentialsTool tool, String name, String account) throws IOException {
    byte[] random = new byte[30];
    new SecureRandom().nextBytes(random);
    String secret = Base64.getEncoder().encodeToString(random);
    ScenarioTenant t =
        new ScenarioTenant(
            name, account, "AKIDSCENARIO" + name.toUpperCase(java.util.Locale.ROOT), secret);
    tool.add(t.accessKeyId, account, t.arn(), secret, ALL_KMS_ACTIONS);
    return t;
  }

  String name() {
    return name;
  }

  String account() {
    return account;
  }

  String arn() {
    return "arn:aws:iam::" + account + ":user/" + name;
  }

  SigV4Signer signer(String region) {
    return new SigV4Signer(
        accessKeyId, secret.getBytes(StandardCharsets.UTF_8), region, "kms", true);
  }

  /**
   * Waits until the server knows the tenant's access key, then creates the tenant's CMK with {@code
   * client} (signed as the tenant).
   */
  void createKey(SignedClient client) throws IOException {
    BenchPrincipal.awaitAuthenticated(client, AUTHENTICATION_TIMEOUT, arn());
    keyId =
        client
            .callOk(
                "CreateKey",
                Operations.json(Map.of("Description", "hsm-kms bench scenario, tenant " + name)))
            .path("KeyMetadata")
            .path("KeyId")
            .asText();
  }

  /** A GenerateDataKey request for the tenant's CMK. */
  byte[] generateDataKey() {
    return Operations.json(Map.of("KeyId", requireKey(), "KeySpec", "AES_256"));
  }

  /** A GenerateDataKeyPair request for the tenant's CMK. */
  byte[] generateDataKeyPair(String spec) {
    return Operations.json(Map.of("KeyId", requireKey(), "KeyPairSpec", spec));
  }

  private String requireKey() {
    if (keyId == null) {
      throw new IllegalStateException("tenant " + name + " has no CMK yet");
    }
    return keyId;
  }

  @Override
  public String toString() {
    return "ScenarioTenant[" + arn() + ", " + accessKeyId + "]";
  }
}
