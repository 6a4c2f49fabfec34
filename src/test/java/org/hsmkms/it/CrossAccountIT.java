package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.NotFoundException;

/**
 * Two access keys in two accounts on one server, each an administrator of its own account: key ids
 * and aliases name only the caller's own keys; a key ARN finds another account's key, whose key
 * policy (here the default one) then refuses the other account.
 */
class CrossAccountIT {
  private final TestServer server = TestServer.shared();
  private final KmsClient a = server.client();
  private final KmsClient b = server.otherAccountClient();

  @Test
  void keysOfEachAccount_carryThatAccount() {
    KeyMetadata ka = a.createKey(r -> {}).keyMetadata();
    KeyMetadata kb = b.createKey(r -> {}).keyMetadata();

    assertEquals(TestServer.ACCOUNT, ka.awsAccountId());
    assertEquals(TestServer.OTHER_ACCOUNT, kb.awsAccountId());
    assertEquals(
        "arn:aws:kms:us-east-1:" + TestServer.OTHER_ACCOUNT + ":key/" + kb.keyId(), kb.arn());
  }

  @Test
  void keyOfOneAccount_isNotFoundForTheOther_byIdAndByArn() {
    KeyMetadata ka = a.createKey(r -> {}).keyMetadata();

    assertThrows(NotFoundException.class, () -> b.describeKey(r -> r.keyId(ka.keyId())));
    // By ARN another account's key is found, and its key policy (the default: A's root only)
    // refuses B.
    assertAccessDenied(() -> b.describeKey(r -> r.keyId(ka.arn())));
    assertThrows(
        NotFoundException.class,
        () ->
            b.encrypt(
                r -> r.keyId(ka.keyId()).plaintext(SdkBytes.fromUtf8String("cross-account"))));
    assertThrows(NotFoundException.class, () -> b.disableKey(r -> r.keyId(ka.keyId())));
    assertThrows(NotFoundException.class, () -> b.scheduleKeyDeletion(r -> r.keyId(ka.keyId())));
    assertEquals(
        "Enabled", a.describeKey(r -> r.keyId(ka.keyId())).keyMetadata().keyStateAsString());
  }

  @Test
  void keyOfOneAccount_isNotListedForTheOther() {
    KeyMetadata ka = a.createKey(r -> {}).keyMetadata();
    KeyMetadata kb = b.createKey(r -> {}).keyMetadata();

    assertFalse(
        b.listKeysPaginator(r -> {}).keys().stream().anyMatch(k -> k.keyId().equals(ka.keyId())));
    assertTrue(
        b.listKeysPaginator(r -> {}).keys().stream().anyMatch(k -> k.keyId().equals(kb.keyId())));
    assertFalse(
        a.listKeysPaginator(r -> {}).keys().stream().anyMatch(k -> k.keyId().equals(kb.keyId())));
  }

  @Test
  void ciphertextOfOneAccount_doesNotDecryptInTheOther() {
    KeyMetadata ka = a.createKey(r -> {}).keyMetadata();
    var dk = a.generateDataKey(r -> r.keyId(ka.keyId()).keySpec(DataKeySpec.AES_256));

    // The ciphertext names A's key; A's key policy does not let B use it.
    assertAccessDenied(() -> b.decrypt(r -> r.ciphertextBlob(dk.ciphertextBlob())));
    assertArrayEquals(
        dk.plaintext().asByteArray(),
        a.decrypt(r -> r.ciphertextBlob(dk.ciphertextBlob())).plaintext().asByteArray());
  }

  @Test
  void sameAliasName_inBothAccounts_namesEachAccountsOwnKey() {
    KeyMetadata ka = a.createKey(r -> {}).keyMetadata();
    KeyMetadata kb = b.createKey(r -> {}).keyMetadata();
    String alias = "alias/shared-name-" + ka.keyId().substring(0, 8);

    a.createAlias(r -> r.aliasName(alias).targetKeyId(ka.keyId()));
    b.createAlias(r -> r.aliasName(alias).targetKeyId(kb.keyId()));

    assertEquals(ka.keyId(), a.describeKey(r -> r.keyId(alias)).keyMetadata().keyId());
    assertEquals(kb.keyId(), b.describeKey(r -> r.keyId(alias)).keyMetadata().keyId());
  }

  @Test
  void aliasOfOneAccount_isNotFoundForTheOther() {
    KeyMetadata ka = a.createKey(r -> {}).keyMetadata();
    String alias = "alias/only-in-a-" + ka.keyId().substring(0, 8);
    a.createAlias(r -> r.aliasName(alias).targetKeyId(ka.keyId()));

    assertThrows(NotFoundException.class, () -> b.describeKey(r -> r.keyId(alias)));
    assertThrows(
        NotFoundException.class,
        () ->
            b.describeKey(
                r -> r.keyId("arn:aws:kms:us-east-1:" + TestServer.ACCOUNT + ":" + alias)));
    assertThrows(NotFoundException.class, () -> b.deleteAlias(r -> r.aliasName(alias)));
    assertFalse(
        b.listAliasesPaginator(r -> {}).aliases().stream()
            .anyMatch(x -> x.aliasName().equals(alias)));
  }

  @Test
  void keyOfOneAccount_cannotBeTheTargetOfTheOthersAlias() {
    KeyMetadata ka = a.createKey(r -> {}).keyMetadata();
    String alias = "alias/steal-" + ka.keyId().substring(0, 8);

    // CreateAlias is never allowed across accounts (AWS), whatever the key policy says.
    assertAccessDenied(() -> b.createAlias(r -> r.aliasName(alias).targetKeyId(ka.arn())));
    assertThrows(
        NotFoundException.class,
        () -> b.createAlias(r -> r.aliasName(alias).targetKeyId(ka.keyId())));
    assertThrows(NotFoundException.class, () -> b.describeKey(r -> r.keyId(alias)));
  }

  private static void assertAccessDenied(Executable call) {
    KmsException e = assertThrows(KmsException.class, call);
    assertEquals("AccessDeniedException", e.awsErrorDetails().errorCode());
    assertTrue(
        e.awsErrorDetails()
            .errorMessage()
            .startsWith("User: " + TestServer.OTHER_PRINCIPAL + " is not authorized to perform: "),
        e.awsErrorDetails().errorMessage());
  }
}
