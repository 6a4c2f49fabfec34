package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.AliasListEntry;
import software.amazon.awssdk.services.kms.model.AlreadyExistsException;
import software.amazon.awssdk.services.kms.model.CreateKeyRequest;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.MultiRegionConfiguration;
import software.amazon.awssdk.services.kms.model.MultiRegionKey;
import software.amazon.awssdk.services.kms.model.MultiRegionKeyType;
import software.amazon.awssdk.services.kms.model.NotFoundException;
import software.amazon.awssdk.services.kms.model.ReplicateKeyResponse;
import software.amazon.awssdk.services.kms.model.Tag;
import software.amazon.awssdk.services.kms.model.UnsupportedOperationException;

/**
 * Multi-Region keys through the AWS SDK, with clients of three regions of the same server (the
 * client's region is its SigV4 scope, and so the region a request acts in): CreateKey MultiRegion,
 * ReplicateKey, UpdatePrimaryRegion, DescribeKey's configuration, and ciphertexts that open in
 * every region of the key. Deletion order is in {@link MultiRegionDeletionIT}.
 */
class MultiRegionKeyIT {
  static final String A = "eu-south-2";
  static final String B = "me-central-1";
  static final String C = "af-south-1";
  private static final SdkBytes PLAINTEXT = SdkBytes.fromUtf8String("one key, three regions");

  private final TestServer server = TestServer.shared();
  private final KmsClient kmsA = server.client(Region.of(A));
  private final KmsClient kmsB = server.client(Region.of(B));
  private final KmsClient kmsC = server.client(Region.of(C));

  private static String arn(String region, String keyId) {
    return "arn:aws:kms:" + region + ":" + TestServer.ACCOUNT + ":key/" + keyId;
  }

  private String createMrk(Consumer<CreateKeyRequest.Builder> more) {
    return kmsA.createKey(b -> more.accept(b.multiRegion(true))).keyMetadata().keyId();
  }

  private String createMrk() {
    return createMrk(b -> {});
  }

  private MultiRegionConfiguration config(KmsClient kms, String keyId) {
    return kms.describeKey(b -> b.keyId(keyId)).keyMetadata().multiRegionConfiguration();
  }

  @Test
  void createKey_multiRegion_hasAnMrkId_andIsItsOwnPrimary_withoutReplicas() {
    KeyMetadata md = kmsA.createKey(b -> b.multiRegion(true)).keyMetadata();

    assertTrue(md.keyId().matches("mrk-[0-9a-f]{32}"), md.keyId());
    assertEquals(arn(A, md.keyId()), md.arn());
    assertTrue(md.multiRegion());
    assertEquals(MultiRegionKeyType.PRIMARY, md.multiRegionConfiguration().multiRegionKeyType());
    assertEquals(
        MultiRegionKey.builder().arn(md.arn()).region(A).build(),
        md.multiRegionConfiguration().primaryKey());
    assertEquals(List.of(), md.multiRegionConfiguration().replicaKeys());
  }

  @Test
  void createKey_singleRegion_isNotMultiRegion_andHasNoConfiguration() {
    KeyMetadata md = kmsA.createKey(b -> {}).keyMetadata();

    assertFalse(md.multiRegion());
    assertEquals(null, md.multiRegionConfiguration());
  }

  @Test
  void replicateKey_makesAReplicaWithTheSameKeyId_itsOwnArn_policyDescriptionAndTags() {
    String keyId = createMrk(b -> b.description("primary"));

    ReplicateKeyResponse r =
        kmsA.replicateKey(
            b ->
                b.keyId(keyId)
                    .replicaRegion(B)
                    .description("replica")
                    .tags(Tag.builder().tagKey("site").tagValue("b").build()));

    KeyMetadata replica = r.replicaKeyMetadata();
    assertEquals(keyId, replica.keyId());
    assertEquals(arn(B, keyId), replica.arn());
    assertEquals("replica", replica.description());
    assertEquals(KeyState.ENABLED, replica.keyState());
    assertEquals(
        MultiRegionKeyType.REPLICA, replica.multiRegionConfiguration().multiRegionKeyType());
    assertEquals(List.of(Tag.builder().tagKey("site").tagValue("b").build()), r.replicaTags());
    assertTrue(r.replicaPolicy().contains("arn:aws:iam::" + TestServer.ACCOUNT + ":root"));
    // The same key, seen from each region.
    KeyMetadata inB = kmsB.describeKey(b -> b.keyId(keyId)).keyMetadata();
    assertEquals(arn(B, keyId), inB.arn());
    assertEquals("replica", inB.description());
    assertEquals("primary", kmsA.describeKey(b -> b.keyId(keyId)).keyMetadata().description());
    MultiRegionConfiguration fromA = config(kmsA, keyId);
    MultiRegionConfiguration fromB = config(kmsB, keyId);
    MultiRegionKey primary = MultiRegionKey.builder().arn(arn(A, keyId)).region(A).build();
    MultiRegionKey inBKey = MultiRegionKey.builder().arn(arn(B, keyId)).region(B).build();
    assertEquals(primary, fromA.primaryKey());
    assertEquals(primary, fromB.primaryKey());
    assertEquals(List.of(inBKey), fromA.replicaKeys());
    assertEquals(List.of(inBKey), fromB.replicaKeys());
    assertEquals(Map.of(), tags(kmsA, keyId));
    assertEquals(Map.of("site", "b"), tags(kmsB, keyId));
    // ListKeys of each region shows the key by its public id.
    assertTrue(
        kmsB.listKeys(b -> b.limit(1000)).keys().stream()
            .anyMatch(k -> k.keyId().equals(keyId) && k.keyArn().equals(arn(B, keyId))));
  }

  private static Map<String, String> tags(KmsClient kms, String keyId) {
    Map<String, String> out = new java.util.TreeMap<>();
    kms.listResourceTags(b -> b.keyId(keyId))
        .tags()
        .forEach(t -> out.put(t.tagKey(), t.tagValue()));
    return out;
  }

  @Test
  void ciphertextOfOneRegion_decryptsInTheOther_withAndWithoutKeyId() {
    String keyId = createMrk();
    kmsA.replicateKey(b -> b.keyId(keyId).replicaRegion(B));
    Map<String, String> context = Map.of("purpose", "multi-region");

    SdkBytes fromA =
        kmsA.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT).encryptionContext(context))
            .ciphertextBlob();
    SdkBytes fromB =
        kmsB.encrypt(b -> b.keyId(arn(B, keyId)).plaintext(PLAINTEXT).encryptionContext(context))
            .ciphertextBlob();

    var inB = kmsB.decrypt(b -> b.ciphertextBlob(fromA).encryptionContext(context));
    assertEquals(PLAINTEXT, inB.plaintext());
    assertEquals(arn(B, keyId), inB.keyId());
    assertEquals(
        PLAINTEXT,
        kmsB.decrypt(b -> b.ciphertextBlob(fromA).keyId(keyId).encryptionContext(context))
            .plaintext());
    var inA = kmsA.decrypt(b -> b.ciphertextBlob(fromB).encryptionContext(context));
    assertEquals(PLAINTEXT, inA.plaintext());
    assertEquals(arn(A, keyId), inA.keyId());
    // The blob names the multi-Region key (format v2); its context is still bound.
    assertEquals(0x02, fromA.asByteArray()[0]);
    assertThrows(
        InvalidCiphertextException.class, () -> kmsB.decrypt(b -> b.ciphertextBlob(fromA)));
    // A region without a replica cannot open it.
    assertThrows(
        InvalidCiphertextException.class,
        () -> kmsC.decrypt(b -> b.ciphertextBlob(fromA).encryptionContext(context)));
    // A data key made in A opens in B.
    GenerateDataKeyResponse dk = kmsA.generateDataKey(b -> b.keyId(keyId).numberOfBytes(32));
    assertEquals(
        dk.plaintext(), kmsB.decrypt(b -> b.ciphertextBlob(dk.ciphertextBlob())).plaintext());
  }

  @Test
  void reEncrypt_inTheReplicaRegion_fromABlobOfThePrimaryRegion() {
    String keyId = createMrk();
    kmsA.replicateKey(b -> b.keyId(keyId).replicaRegion(B));
    String other = kmsB.createKey(b -> {}).keyMetadata().keyId();
    SdkBytes fromA = kmsA.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT)).ciphertextBlob();

    var r = kmsB.reEncrypt(b -> b.ciphertextBlob(fromA).destinationKeyId(other));

    assertEquals(arn(B, keyId), r.sourceKeyId());
    assertEquals(PLAINTEXT, kmsB.decrypt(b -> b.ciphertextBlob(r.ciphertextBlob())).plaintext());
  }

  @Test
  void asymmetricAndHmacKeys_replicate_andSignInOneRegion_verifyInTheOther() {
    String ec = createMrk(b -> b.keySpec("ECC_NIST_P256").keyUsage("SIGN_VERIFY"));
    kmsA.replicateKey(b -> b.keyId(ec).replicaRegion(B));
    SdkBytes message = SdkBytes.fromUtf8String("signed in A");
    SdkBytes signature =
        kmsA.sign(b -> b.keyId(ec).message(message).signingAlgorithm("ECDSA_SHA_256")).signature();
    assertTrue(
        kmsB.verify(
                b ->
                    b.keyId(ec)
                        .message(message)
                        .signature(signature)
                        .signingAlgorithm("ECDSA_SHA_256"))
            .signatureValid());
    assertEquals(
        kmsA.getPublicKey(b -> b.keyId(ec)).publicKey(),
        kmsB.getPublicKey(b -> b.keyId(ec)).publicKey());

    String hmac = createMrk(b -> b.keySpec("HMAC_256").keyUsage("GENERATE_VERIFY_MAC"));
    kmsA.replicateKey(b -> b.keyId(hmac).replicaRegion(B));
    SdkBytes mac =
        kmsA.generateMac(b -> b.keyId(hmac).message(message).macAlgorithm("HMAC_SHA_256")).mac();
    assertTrue(
        kmsB.verifyMac(b -> b.keyId(hmac).message(message).mac(mac).macAlgorithm("HMAC_SHA_256"))
            .macValid());
  }

  @Test
  void aliasesPoliciesAndStates_areEachRegionsOwn() {
    String keyId = createMrk();
    kmsA.replicateKey(b -> b.keyId(keyId).replicaRegion(B));
    kmsA.createAlias(b -> b.aliasName("alias/mrk-shared-name").targetKeyId(keyId));
    kmsB.createAlias(b -> b.aliasName("alias/mrk-shared-name").targetKeyId(arn(B, keyId)));

    AliasListEntry inB =
        kmsB.listAliases(b -> b.keyId(keyId)).aliases().stream().findFirst().orElseThrow();
    assertEquals(keyId, inB.targetKeyId());
    assertEquals(
        arn(B, keyId), kmsB.describeKey(b -> b.keyId("alias/mrk-shared-name")).keyMetadata().arn());
    assertEquals(
        arn(A, keyId), kmsA.describeKey(b -> b.keyId("alias/mrk-shared-name")).keyMetadata().arn());
    kmsB.deleteAlias(b -> b.aliasName("alias/mrk-shared-name"));
    assertEquals(1, kmsA.listAliases(b -> b.keyId(keyId)).aliases().size());

    String policy = kmsA.getKeyPolicy(b -> b.keyId(keyId).policyName("default")).policy();
    String changed = policy.replace("\"Enable IAM User Permissions\"", "\"Changed in B\"");
    assertNotEquals(policy, changed);
    kmsB.putKeyPolicy(b -> b.keyId(keyId).policyName("default").policy(changed));
    assertEquals(changed, kmsB.getKeyPolicy(b -> b.keyId(keyId).policyName("default")).policy());
    assertEquals(policy, kmsA.getKeyPolicy(b -> b.keyId(keyId).policyName("default")).policy());

    kmsB.disableKey(b -> b.keyId(keyId));
    assertThrows(
        DisabledException.class, () -> kmsB.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT)));
    SdkBytes blob = kmsA.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT)).ciphertextBlob();
    assertThrows(DisabledException.class, () -> kmsB.decrypt(b -> b.ciphertextBlob(blob)));
    assertEquals(PLAINTEXT, kmsA.decrypt(b -> b.ciphertextBlob(blob)).plaintext());
  }

  @Test
  void grantsOfAReplica_nameTheReplicasArn_andAreNotThePrimarys() {
    String keyId = createMrk();
    kmsA.replicateKey(b -> b.keyId(keyId).replicaRegion(B));

    kmsB.createGrant(
        b ->
            b.keyId(keyId)
                .granteePrincipal(TestServer.OTHER_PRINCIPAL)
                .operationsWithStrings("Decrypt"));

    var grants = kmsB.listGrants(b -> b.keyId(keyId)).grants();
    assertEquals(1, grants.size());
    assertEquals(arn(B, keyId), grants.get(0).keyId());
    assertEquals(List.of(), kmsA.listGrants(b -> b.keyId(keyId)).grants());
  }

  @Test
  void replicateKey_intoThePrimarysRegion_orAnExistingReplicasRegion_isAlreadyExists() {
    String keyId = createMrk();
    kmsA.replicateKey(b -> b.keyId(keyId).replicaRegion(B));

    KmsException own =
        assertThrows(
            AlreadyExistsException.class,
            () -> kmsA.replicateKey(b -> b.keyId(keyId).replicaRegion(A)));
    assertThrows(
        AlreadyExistsException.class,
        () -> kmsA.replicateKey(b -> b.keyId(keyId).replicaRegion(B)));
    assertEquals(400, own.statusCode());
    assertEquals(1, config(kmsA, keyId).replicaKeys().size());
  }

  @Test
  void replicateKey_ofASingleRegionKey_orOfAReplica_isUnsupportedOperation() {
    String single = kmsA.createKey(b -> {}).keyMetadata().keyId();
    String keyId = createMrk();
    kmsA.replicateKey(b -> b.keyId(keyId).replicaRegion(B));

    assertThrows(
        UnsupportedOperationException.class,
        () -> kmsA.replicateKey(b -> b.keyId(single).replicaRegion(B)));
    assertThrows(
        UnsupportedOperationException.class,
        () -> kmsB.replicateKey(b -> b.keyId(keyId).replicaRegion(C)));
    assertThrows(NotFoundException.class, () -> kmsC.describeKey(b -> b.keyId(keyId)));
  }

  @Test
  void replicateKey_withAnInvalidRegionName_isValidationException() {
    String keyId = createMrk();

    KmsException e =
        assertThrows(
            KmsException.class, () -> kmsA.replicateKey(b -> b.keyId(keyId).replicaRegion("Mars")));

    assertEquals("ValidationException", e.awsErrorDetails().errorCode());
  }

  @Test
  void updatePrimaryRegion_swapsThePrimary_andOnlyTheNewPrimaryReplicates() {
    String keyId = createMrk();
    kmsA.replicateKey(b -> b.keyId(keyId).replicaRegion(B));
    SdkBytes before = kmsA.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT)).ciphertextBlob();

    kmsA.updatePrimaryRegion(b -> b.keyId(keyId).primaryRegion(B));

    MultiRegionConfiguration fromA = config(kmsA, keyId);
    assertEquals(MultiRegionKeyType.REPLICA, fromA.multiRegionKeyType());
    assertEquals(MultiRegionKeyType.PRIMARY, config(kmsB, keyId).multiRegionKeyType());
    assertEquals(B, fromA.primaryKey().region());
    assertEquals(List.of(A), fromA.replicaKeys().stream().map(MultiRegionKey::region).toList());
    assertThrows(
        UnsupportedOperationException.class,
        () -> kmsA.replicateKey(b -> b.keyId(keyId).replicaRegion(C)));
    kmsB.replicateKey(b -> b.keyId(keyId).replicaRegion(C));
    // The material is the same in every region, also after the swap.
    assertEquals(PLAINTEXT, kmsC.decrypt(b -> b.ciphertextBlob(before)).plaintext());
    assertEquals(PLAINTEXT, kmsB.decrypt(b -> b.ciphertextBlob(before)).plaintext());
  }

  @Test
  void updatePrimaryRegion_errors() {
    String single = kmsA.createKey(b -> {}).keyMetadata().keyId();
    String keyId = createMrk();
    kmsA.replicateKey(b -> b.keyId(keyId).replicaRegion(B));

    assertThrows(
        UnsupportedOperationException.class,
        () -> kmsA.updatePrimaryRegion(b -> b.keyId(single).primaryRegion(B)));
    NotFoundException none =
        assertThrows(
            NotFoundException.class,
            () -> kmsA.updatePrimaryRegion(b -> b.keyId(keyId).primaryRegion(C)));
    assertEquals(
        "Key '" + arn(C, keyId) + "' does not exist", none.awsErrorDetails().errorMessage());
    // Called on the replica (the primary is elsewhere).
    assertThrows(
        UnsupportedOperationException.class,
        () -> kmsB.updatePrimaryRegion(b -> b.keyId(keyId).primaryRegion(A)));
    // "Both the primary key and the replica key must be in the Enabled key state".
    kmsB.disableKey(b -> b.keyId(keyId));
    assertThrows(
        DisabledException.class,
        () -> kmsA.updatePrimaryRegion(b -> b.keyId(keyId).primaryRegion(B)));
    assertEquals(MultiRegionKeyType.PRIMARY, config(kmsA, keyId).multiRegionKeyType());
  }

  @Test
  void singleRegionKey_staysInvisibleFromAnotherRegion_andItsBlobDoesNotOpenThere() {
    String keyId = kmsA.createKey(b -> {}).keyMetadata().keyId();
    SdkBytes blob = kmsA.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT)).ciphertextBlob();

    assertThrows(NotFoundException.class, () -> kmsB.describeKey(b -> b.keyId(keyId)));
    assertThrows(InvalidCiphertextException.class, () -> kmsB.decrypt(b -> b.ciphertextBlob(blob)));
    assertArrayEquals(
        PLAINTEXT.asByteArray(),
        kmsA.decrypt(b -> b.ciphertextBlob(blob)).plaintext().asByteArray());
  }

  @Test
  void createKey_multiRegion_withImportedMaterial_isUnsupportedOperation() {
    assertThrows(
        UnsupportedOperationException.class,
        () -> kmsA.createKey(b -> b.multiRegion(true).origin("EXTERNAL")));
  }
}
