package org.hsmkms.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hsmkms.auth.CredentialsAdmin;
import org.hsmkms.authz.AuthorizationResult;
import org.hsmkms.authz.Authorizer;
import org.hsmkms.authz.AuthzRequest;
import org.hsmkms.authz.ConditionKeyMap;
import org.hsmkms.authz.DefaultKeyPolicy;
import org.hsmkms.authz.GrantSource;
import org.hsmkms.authz.PolicyDocument;
import org.hsmkms.authz.PolicyKind;

/**
 * What one key-level authorization decision costs in CPU, measured in-process and alone: the
 * request's condition keys (canonical once per request) extended with the key's (as the service
 * does for each key a request uses), the request made, and the key policy, identity policy and
 * grants evaluated. Two cases: the bench's {@code --policies} mode (the six-statement key policy
 * with encryption-context and tag conditions, a non-admin caller) and the run without it (the
 * default key policy, an administrator's identity policy).
 *
 * <p>A throughput run on a shared 2-core machine swings by more than the difference this is about;
 * a single-threaded loop over the same decision does not. Run: {@code java -cp
 * bench/target/hsm-kms-bench.jar org.hsmkms.bench.AuthorizationCost}.
 */
public final class AuthorizationCost {
  private static final String ACCOUNT = "111122223333";
  private static final String KEY_ARN =
      "arn:aws:kms:us-east-1:" + ACCOUNT + ":key/8a1c1f2e-6b7d-4c3e-9f10-1234567890ab";
  private static final String ADMIN = "arn:aws:iam::" + ACCOUNT + ":user/hsm-kms-dev";

  private AuthorizationCost() {}

  public static void main(String[] args) {
    long seconds = args.length > 0 ? Long.parseLong(args[0]) : 5;
    String user = BenchPolicy.principal(ACCOUNT);
    PolicyDocument benchKeyPolicy =
        PolicyDocument.parse(BenchPolicy.keyPolicy(ACCOUNT, ADMIN, user), PolicyKind.KEY_POLICY);
    PolicyDocument benchIdentity =
        PolicyDocument.parse(BenchPolicy.IDENTITY_POLICY, PolicyKind.IDENTITY_POLICY);
    PolicyDocument defaultKeyPolicy =
        PolicyDocument.parse(DefaultKeyPolicy.forAccount(ACCOUNT), PolicyKind.KEY_POLICY);
    PolicyDocument adminIdentity =
        PolicyDocument.parse(CredentialsAdmin.ADMIN_POLICY, PolicyKind.IDENTITY_POLICY);

    System.out.println("one key-level authorization decision, single thread, " + seconds + " s");
    for (String action : List.of("kms:GenerateDataKey", "kms:Decrypt")) {
      report(action, "policies off", defaultKeyPolicy, adminIdentity, ADMIN, false, seconds);
      report(action, "policies on ", benchKeyPolicy, benchIdentity, user, true, seconds);
    }
  }

  private static void report(
      String action,
      String mode,
      PolicyDocument keyPolicy,
      PolicyDocument identity,
      String principal,
      boolean withContext,
      long seconds) {
    ConditionKeyMap requestKeys = ConditionKeyMap.of(requestKeys(principal, withContext));
    run(action, keyPolicy, identity, principal, requestKeys, seconds / 2 + 1); // warm-up
    double ns = run(action, keyPolicy, identity, principal, requestKeys, seconds);
    System.out.printf("  %-22s %s  %8.2f us%n", action, mode, ns / 1000);
  }

  /** Nanoseconds per decision over {@code seconds}; every decision must be an allow. */
  private static double run(
      String action,
      PolicyDocument keyPolicy,
      PolicyDocument identity,
      String principal,
      ConditionKeyMap requestKeys,
      long seconds) {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    long start = System.nanoTime();
    long n = 0;
    while (System.nanoTime() < end) {
      for (int i = 0; i < 1000; i++) {
        Map<String, List<String>> keyFacts = new HashMap<>(16);
        keyFacts.put("kms:keyspec", List.of("SYMMETRIC_DEFAULT"));
        keyFacts.put("kms:keyusage", List.of("ENCRYPT_DECRYPT"));
        keyFacts.put("kms:keyorigin", List.of("AWS_KMS"));
        keyFacts.put("kms:multiregion", List.of("false"));
        keyFacts.put("aws:ResourceTag/" + BenchPolicy.TAG_KEY, List.of(BenchPolicy.TAG_VALUE));
        AuthzRequest request =
            new AuthzRequest(principal, ACCOUNT, action, KEY_ARN, requestKeys.with(keyFacts));
        AuthorizationResult r =
            Authorizer.authorizeKeyAction(keyPolicy, identity, GrantSource.NONE, request);
        if (!r.allowed()) {
          throw new IllegalStateException(action + " refused: " + r.describe());
        }
      }
      n += 1000;
    }
    return (System.nanoTime() - start) / (double) n;
  }

  /** The condition keys a request of the bench gives by itself (as the service derives them). */
  private static Map<String, List<String>> requestKeys(String principal, boolean withContext) {
    Map<String, List<String>> keys = new HashMap<>();
    keys.put("aws:PrincipalArn", List.of(principal));
    keys.put("aws:PrincipalAccount", List.of(ACCOUNT));
    keys.put("kms:CallerAccount", List.of(ACCOUNT));
    keys.put("aws:PrincipalType", List.of("User"));
    keys.put("aws:username", List.of(principal.substring(principal.lastIndexOf('/') + 1)));
    keys.put("aws:SourceIp", List.of("127.0.0.1"));
    keys.put("aws:SecureTransport", List.of("false"));
    keys.put("aws:CurrentTime", List.of("2026-12-02T01:00:00Z"));
    keys.put("aws:EpochTime", List.of("1795914000"));
    keys.put("kms:EncryptionAlgorithm", List.of("SYMMETRIC_DEFAULT"));
    if (withContext) {
      keys.put(
          "kms:EncryptionContext:" + BenchPolicy.CONTEXT_KEY, List.of(BenchPolicy.CONTEXT_VALUE));
      keys.put("kms:EncryptionContextKeys", List.of(BenchPolicy.CONTEXT_KEY));
    }
    return keys;
  }
}
