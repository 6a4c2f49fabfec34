package org.hsmkms.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.hsmkms.authz.MalformedPolicyException;
import org.hsmkms.authz.PolicyDocument;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;
import org.hsmkms.testing.SuiteSecrets;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;

/**
 * Identity policies at rest, on the real test token: sealed to their principal, refused at load
 * when changed or moved (the principal then has none), parsed once, and reloaded with the keys.
 */
class IdentityPolicyIT {
  private static final String SECRET = "policy-it-secret-0123456789";
  private static final String ALICE = "arn:aws:iam::111122223333:user/alice";
  private static final String BOB = "arn:aws:iam::111122223333:user/bob";
  private static final String READ_ONLY =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
          + "\"Action\":[\"kms:DescribeKey\",\"kms:ListKeys\"],\"Resource\":\"*\"}]}";

  private static final String MAYBE =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Maybe\","
          + "\"Action\":\"kms:*\",\"Resource\":\"*\"}]}";

  static {
    SuiteSecrets.secret(SECRET);
  }

  private final Path file = TestServer.newDataDir().resolve("creds");

  @Test
  void storedPolicy_isLoadedParsed_andOnlyForItsPrincipal() {
    TestServer.withHsm(
        hsm -> {
          CredentialsAdmin admin = admin(hsm);
          admin.put("AKIAPOLICYIT1", "111122223333", ALICE, secret(), READ_ONLY);

          CredentialStore store = store(hsm);
          store.load();

          Optional<PolicyDocument> policy = store.identityPolicy(ALICE);
          assertTrue(policy.isPresent());
          assertEquals(READ_ONLY, policy.get().text());
          assertEquals(1, policy.get().statementCount());
          assertEquals(Optional.empty(), store.identityPolicy(BOB));
          assertEquals(Optional.of(READ_ONLY), admin.policy(ALICE));
          assertTrue(Files.readString(file).contains("[policy " + ALICE + "]"));
        });
  }

  @Test
  void changedDocument_isRefusedAtLoad_andThePrincipalHasNoPolicy() {
    TestServer.withHsm(
        hsm -> {
          admin(hsm).put("AKIAPOLICYIT1", "111122223333", ALICE, secret(), READ_ONLY);
          String text = Files.readString(file);
          // The writer of the file gives alice kms:* instead of her read-only policy.
          Files.writeString(
              file, text.replace(base64(READ_ONLY), base64(CredentialsAdmin.ADMIN_POLICY)));
          assertTrue(Files.readString(file).contains(base64(CredentialsAdmin.ADMIN_POLICY)));

          CredentialStore store = store(hsm);
          store.load();

          assertEquals(Optional.empty(), store.identityPolicy(ALICE));
          assertNotNull(store.find("AKIAPOLICYIT1"), "her access key still loads");
          assertThrows(IllegalArgumentException.class, () -> admin(hsm).policy(ALICE));
        });
  }

  @Test
  void everyChangedCharacterOfTheSeal_isRefused() {
    TestServer.withHsm(
        hsm -> {
          CredentialsAdmin admin = admin(hsm);
          admin.setPolicy(ALICE, READ_ONLY);
          CredentialsFile.PolicyEntry stored = CredentialsFile.readAll(file).policies().get(0);
          PolicySealer sealer = new PolicySealer(hsm.serviceKeys());
          sealer.verify(stored);
          String seal = stored.seal();

          for (int i = "hsm:v1:".length(); i < seal.length(); i++) {
            char c = seal.charAt(i);
            String flipped = seal.substring(0, i) + (c == 'A' ? 'B' : 'A') + seal.substring(i + 1);
            CredentialsFile.PolicyEntry tampered =
                new CredentialsFile.PolicyEntry(ALICE, READ_ONLY, flipped);
            assertThrows(IllegalArgumentException.class, () -> sealer.verify(tampered), "at " + i);
          }
        });
  }

  @Test
  void policyMovedToAnotherPrincipal_isRefusedAtLoad() {
    TestServer.withHsm(
        hsm -> {
          CredentialsAdmin admin = admin(hsm);
          admin.put(
              "AKIAPOLICYIT1", "111122223333", ALICE, secret(), CredentialsAdmin.ADMIN_POLICY);
          admin.put("AKIAPOLICYIT2", "111122223333", BOB, secret());
          Files.writeString(
              file,
              Files.readString(file).replace("[policy " + ALICE + "]", "[policy " + BOB + "]"));

          CredentialStore store = store(hsm);
          store.load();

          assertEquals(Optional.empty(), store.identityPolicy(BOB));
          assertEquals(Optional.empty(), store.identityPolicy(ALICE));
          assertEquals(2, store.size());
        });
  }

  @Test
  void sealedSecret_givenAsASeal_isRefused() {
    TestServer.withHsm(
        hsm -> {
          admin(hsm).put("AKIAPOLICYIT1", "111122223333", ALICE, secret());
          // Exactly the length of a seal: 32 bytes sealed as a secret for alice's entry.
          String sealedSecret =
              new SecretSealer(hsm.serviceKeys())
                  .seal("AKIAPOLICYIT1", "111122223333", ALICE, new byte[32]);
          CredentialsFile.PolicyEntry forged =
              new CredentialsFile.PolicyEntry(ALICE, CredentialsAdmin.ADMIN_POLICY, sealedSecret);

          assertThrows(
              IllegalArgumentException.class,
              () -> new PolicySealer(hsm.serviceKeys()).verify(forged));
        });
  }

  @Test
  void sealedDocumentThatIsNoIdentityPolicy_isRefusedAtLoad() {
    TestServer.withHsm(
        hsm -> {
          admin(hsm).put("AKIAPOLICYIT1", "111122223333", ALICE, secret());
          String malformed = MAYBE;
          PolicySealer sealer = new PolicySealer(hsm.serviceKeys());
          CredentialsFile.Contents contents = CredentialsFile.readAll(file);
          CredentialsFile.write(
              file,
              new CredentialsFile.Contents(
                  contents.entries(),
                  List.of(
                      new CredentialsFile.PolicyEntry(
                          ALICE, malformed, sealer.seal(ALICE, malformed)))));

          CredentialStore store = store(hsm);
          store.load();

          assertEquals(Optional.empty(), store.identityPolicy(ALICE));
          assertNotNull(store.find("AKIAPOLICYIT1"));
        });
  }

  @Test
  void malformedPolicy_isRefusedWithTheParsersReason_andNothingIsWritten() {
    TestServer.withHsm(
        hsm -> {
          CredentialsAdmin admin = admin(hsm);
          admin.put("AKIAPOLICYIT1", "111122223333", ALICE, secret(), READ_ONLY);
          String before = Files.readString(file);

          MalformedPolicyException set =
              assertThrows(MalformedPolicyException.class, () -> admin.setPolicy(BOB, MAYBE));
          assertThrows(
              MalformedPolicyException.class,
              () -> admin.put("AKIAPOLICYIT2", "111122223333", BOB, secret(), MAYBE));

          assertFalse(set.getMessage().isEmpty());
          assertEquals(before, Files.readString(file));
        });
  }

  @Test
  void changes_areReloadedWithoutARestart_andRemovingAKeyKeepsThePolicy() {
    TestServer.withHsm(
        hsm -> {
          CredentialsAdmin admin = admin(hsm);
          admin.put("AKIAPOLICYIT1", "111122223333", ALICE, secret());
          CredentialStore store = store(hsm);
          store.load();
          assertEquals(Optional.empty(), store.identityPolicy(ALICE));

          admin.setPolicy(ALICE, READ_ONLY);
          assertTrue(store.reloadIfChanged());
          assertEquals(READ_ONLY, store.identityPolicy(ALICE).orElseThrow().text());

          admin.setPolicy(ALICE, CredentialsAdmin.ADMIN_POLICY);
          assertTrue(store.reloadIfChanged());
          assertEquals(
              CredentialsAdmin.ADMIN_POLICY, store.identityPolicy(ALICE).orElseThrow().text());

          admin.remove("AKIAPOLICYIT1");
          assertTrue(store.reloadIfChanged());
          assertTrue(store.identityPolicy(ALICE).isPresent(), "the policy is the principal's");

          assertTrue(admin.removePolicy(ALICE));
          assertFalse(admin.removePolicy(ALICE));
          assertTrue(store.reloadIfChanged());
          assertEquals(Optional.empty(), store.identityPolicy(ALICE));
        });
  }

  private CredentialsAdmin admin(Pkcs11Hsm hsm) {
    return new CredentialsAdmin(file, hsm.serviceKeys(), hsm.random());
  }

  private CredentialStore store(Pkcs11Hsm hsm) {
    return new CredentialStore(file, new SecretSealer(hsm.serviceKeys()));
  }

  private static byte[] secret() {
    return SECRET.getBytes(StandardCharsets.UTF_8);
  }

  private static String base64(String json) {
    return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
