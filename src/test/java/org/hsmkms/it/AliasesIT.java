package org.hsmkms.it;

import static org.hsmkms.it.KmsTesting.aliasArn;
import static org.hsmkms.it.KmsTesting.allKeyIds;
import static org.hsmkms.it.KmsTesting.assertAwsError;
import static org.hsmkms.it.KmsTesting.keyArn;
import static org.hsmkms.it.KmsTesting.newKey;
import static org.hsmkms.it.KmsTesting.uniqueAliasName;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.AliasListEntry;
import software.amazon.awssdk.services.kms.model.AlreadyExistsException;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;
import software.amazon.awssdk.services.kms.model.InvalidMarkerException;
import software.amazon.awssdk.services.kms.model.KmsInvalidStateException;
import software.amazon.awssdk.services.kms.model.ListAliasesRequest;
import software.amazon.awssdk.services.kms.model.ListAliasesResponse;
import software.amazon.awssdk.services.kms.model.NotFoundException;

/** CreateAlias, UpdateAlias, DeleteAlias, ListAliases, and regions as separate namespaces. */
class AliasesIT {
  private final TestServer server = TestServer.shared();
  private final KmsClient kms = server.client();

  // --- CreateAlias -------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void createAlias_toKeyIdOrKeyArn_resolvesToTheKey(boolean byArn) {
    String keyId = newKey(kms);
    String alias = uniqueAliasName();

    kms.createAlias(b -> b.aliasName(alias).targetKeyId(byArn ? keyArn(keyId) : keyId));

    assertEquals(keyId, kms.describeKey(b -> b.keyId(alias)).keyMetadata().keyId());
    assertEquals(
        keyId,
        kms.describeKey(b -> b.keyId(aliasArn(KmsTesting.REGION, alias))).keyMetadata().keyId());
  }

  @Test
  void createAlias_withTakenName_isAlreadyExistsException() {
    String first = newKey(kms);
    String second = newKey(kms);
    String alias = uniqueAliasName();
    kms.createAlias(b -> b.aliasName(alias).targetKeyId(first));

    assertThrows(
        AlreadyExistsException.class,
        () -> kms.createAlias(b -> b.aliasName(alias).targetKeyId(second)));
    assertEquals(first, kms.describeKey(b -> b.keyId(alias)).keyMetadata().keyId());
  }

  @ParameterizedTest
  @ValueSource(strings = {"alias/aws/x", "alias/aws/s3"})
  void createAlias_reservedName_isNotAuthorizedException(String name) {
    String keyId = newKey(kms);

    assertAwsError(
        "NotAuthorizedException", () -> kms.createAlias(b -> b.aliasName(name).targetKeyId(keyId)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"my-alias", "key/my-alias", "aliases/x"})
  void createAlias_withoutAliasPrefix_isValidationException_asAws(String name) {
    String keyId = newKey(kms);

    software.amazon.awssdk.services.kms.model.KmsException e =
        assertThrows(
            software.amazon.awssdk.services.kms.model.KmsException.class,
            () -> kms.createAlias(b -> b.aliasName(name).targetKeyId(keyId)));

    assertEquals("ValidationException", e.awsErrorDetails().errorCode());
    assertEquals(400, e.statusCode());
  }

  @ParameterizedTest
  @ValueSource(strings = {"alias/has space", "alias/bang!", "alias/dot.ted", "alias/é", "alias/a*"})
  void createAlias_withCharactersOutsidePattern_isValidationException(String name) {
    String keyId = newKey(kms);

    String message =
        assertAwsError(
                "ValidationException",
                () -> kms.createAlias(b -> b.aliasName(name).targetKeyId(keyId)))
            .awsErrorDetails()
            .errorMessage();

    assertTrue(message.contains("'aliasName'"), message);
    assertTrue(message.contains("Member must satisfy regular expression pattern"), message);
  }

  @Test
  void createAlias_toUnknownKey_isNotFoundException() {
    assertThrows(
        NotFoundException.class,
        () ->
            kms.createAlias(
                b ->
                    b.aliasName(uniqueAliasName())
                        .targetKeyId("00000000-0000-4000-8000-000000000000")));
  }

  @Test
  void createAlias_toKeyPendingDeletion_isKmsInvalidStateException() {
    String keyId = newKey(kms);
    kms.scheduleKeyDeletion(b -> b.keyId(keyId).pendingWindowInDays(7));
    String alias = uniqueAliasName();

    assertThrows(
        KmsInvalidStateException.class,
        () -> kms.createAlias(b -> b.aliasName(alias).targetKeyId(keyId)));
    assertThrows(NotFoundException.class, () -> kms.describeKey(b -> b.keyId(alias)));
  }

  @Test
  void createAlias_toDisabledKey_isAccepted() {
    String keyId = newKey(kms);
    kms.disableKey(b -> b.keyId(keyId));
    String alias = uniqueAliasName();

    kms.createAlias(b -> b.aliasName(alias).targetKeyId(keyId));

    assertEquals(keyId, kms.describeKey(b -> b.keyId(alias)).keyMetadata().keyId());
  }

  // --- UpdateAlias -------------------------------------------------------------------------------

  @Test
  void updateAlias_pointsAliasAtOtherKey() {
    String first = newKey(kms);
    String second = newKey(kms);
    String alias = uniqueAliasName();
    kms.createAlias(b -> b.aliasName(alias).targetKeyId(first));

    kms.updateAlias(b -> b.aliasName(alias).targetKeyId(second));

    assertEquals(second, kms.describeKey(b -> b.keyId(alias)).keyMetadata().keyId());
    assertEquals(List.of(), aliasNamesOf(first));
    AliasListEntry entry = onlyAliasOf(second);
    assertEquals(alias, entry.aliasName());
    assertEquals(second, entry.targetKeyId());
    SdkBytes blob =
        kms.encrypt(b -> b.keyId(alias).plaintext(SdkBytes.fromUtf8String("x"))).ciphertextBlob();
    assertEquals(keyArn(second), kms.decrypt(b -> b.ciphertextBlob(blob)).keyId());
  }

  @Test
  void updateAlias_missingAlias_isNotFoundException() {
    String keyId = newKey(kms);

    assertThrows(
        NotFoundException.class,
        () -> kms.updateAlias(b -> b.aliasName(uniqueAliasName()).targetKeyId(keyId)));
  }

  @Test
  void updateAlias_toKeyPendingDeletion_isKmsInvalidStateException() {
    String first = newKey(kms);
    String pending = newKey(kms);
    kms.scheduleKeyDeletion(b -> b.keyId(pending).pendingWindowInDays(7));
    String alias = uniqueAliasName();
    kms.createAlias(b -> b.aliasName(alias).targetKeyId(first));

    assertThrows(
        KmsInvalidStateException.class,
        () -> kms.updateAlias(b -> b.aliasName(alias).targetKeyId(pending)));
    assertEquals(first, kms.describeKey(b -> b.keyId(alias)).keyMetadata().keyId());
  }

  @Test
  void updateAlias_reservedName_isNotAuthorizedException() {
    String keyId = newKey(kms);

    assertAwsError(
        "NotAuthorizedException",
        () -> kms.updateAlias(b -> b.aliasName("alias/aws/x").targetKeyId(keyId)));
  }

  // --- DeleteAlias -------------------------------------------------------------------------------

  @Test
  void deleteAlias_removesAliasButNotTheKey() {
    String keyId = newKey(kms);
    String alias = uniqueAliasName();
    kms.createAlias(b -> b.aliasName(alias).targetKeyId(keyId));

    kms.deleteAlias(b -> b.aliasName(alias));

    assertThrows(NotFoundException.class, () -> kms.describeKey(b -> b.keyId(alias)));
    assertEquals(List.of(), aliasNamesOf(keyId));
    assertEquals(keyId, kms.describeKey(b -> b.keyId(keyId)).keyMetadata().keyId());
    // The name is free again.
    kms.createAlias(b -> b.aliasName(alias).targetKeyId(keyId));
  }

  @Test
  void deleteAlias_ofKeyPendingDeletion_isAccepted() {
    String keyId = newKey(kms);
    String alias = uniqueAliasName();
    kms.createAlias(b -> b.aliasName(alias).targetKeyId(keyId));
    kms.scheduleKeyDeletion(b -> b.keyId(keyId).pendingWindowInDays(7));

    kms.deleteAlias(b -> b.aliasName(alias));

    assertEquals(List.of(), aliasNamesOf(keyId));
  }

  @Test
  void deleteAlias_missingAlias_isNotFoundException() {
    assertThrows(
        NotFoundException.class, () -> kms.deleteAlias(b -> b.aliasName(uniqueAliasName())));
  }

  // --- ListAliases -------------------------------------------------------------------------------

  @Test
  void listAliases_withoutFilter_containsNewAliasWithArnAndDates() {
    String keyId = newKey(kms);
    String alias = uniqueAliasName();
    kms.createAlias(b -> b.aliasName(alias).targetKeyId(keyId));

    List<AliasListEntry> all = allAliases(kms, b -> b);
    List<AliasListEntry> mine = all.stream().filter(a -> a.aliasName().equals(alias)).toList();

    assertEquals(1, mine.size());
    AliasListEntry entry = mine.get(0);
    assertEquals(aliasArn(KmsTesting.REGION, alias), entry.aliasArn());
    assertEquals(keyId, entry.targetKeyId());
    assertNotNull(entry.creationDate());
    assertNotNull(entry.lastUpdatedDate());
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void listAliases_withKeyIdFilter_returnsOnlyThatKeysAliases(boolean byArn) {
    String keyId = newKey(kms);
    String other = newKey(kms);
    Set<String> mine = Set.of(uniqueAliasName(), uniqueAliasName());
    mine.forEach(a -> kms.createAlias(b -> b.aliasName(a).targetKeyId(keyId)));
    kms.createAlias(b -> b.aliasName(uniqueAliasName()).targetKeyId(other));

    List<AliasListEntry> listed = allAliases(kms, b -> b.keyId(byArn ? keyArn(keyId) : keyId));

    assertEquals(mine, listed.stream().map(AliasListEntry::aliasName).collect(Collectors.toSet()));
    assertTrue(listed.stream().allMatch(a -> a.targetKeyId().equals(keyId)));
  }

  @Test
  void listAliases_withKeyIdFilterAndLimit_pagesThroughEachAliasOnce() {
    String keyId = newKey(kms);
    Set<String> mine = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      String alias = uniqueAliasName();
      kms.createAlias(b -> b.aliasName(alias).targetKeyId(keyId));
      mine.add(alias);
    }

    List<String> seen = new ArrayList<>();
    List<Integer> pageSizes = new ArrayList<>();
    String marker = null;
    do {
      String m = marker;
      ListAliasesResponse page = kms.listAliases(b -> b.keyId(keyId).limit(2).marker(m));
      pageSizes.add(page.aliases().size());
      page.aliases().forEach(a -> seen.add(a.aliasName()));
      if (page.truncated()) {
        assertNotNull(page.nextMarker());
      } else {
        assertNull(page.nextMarker());
      }
      marker = page.truncated() ? page.nextMarker() : null;
    } while (marker != null && pageSizes.size() < 100);

    assertEquals(List.of(2, 2, 1), pageSizes);
    assertEquals(mine.size(), seen.size());
    assertEquals(mine, new HashSet<>(seen));
  }

  @Test
  void listAliases_withLimitAcrossRegion_returnsEachAliasOnce() {
    KmsClient regional = server.client(Region.of("ap-southeast-4"));
    String keyId = newKey(regional);
    Set<String> mine = new HashSet<>();
    for (int i = 0; i < 4; i++) {
      String alias = uniqueAliasName();
      regional.createAlias(b -> b.aliasName(alias).targetKeyId(keyId));
      mine.add(alias);
    }

    List<String> seen = new ArrayList<>();
    String marker = null;
    int pages = 0;
    do {
      String m = marker;
      ListAliasesResponse page = regional.listAliases(b -> b.limit(3).marker(m));
      pages++;
      assertTrue(page.aliases().size() <= 3);
      page.aliases().forEach(a -> seen.add(a.aliasName()));
      marker = page.truncated() ? page.nextMarker() : null;
    } while (marker != null && pages < 1000);

    assertTrue(pages >= 2);
    assertEquals(new HashSet<>(seen).size(), seen.size(), "an alias appeared on two pages");
    assertTrue(seen.containsAll(mine));
  }

  @ParameterizedTest
  @ValueSource(strings = {"bogus", "a2V5OjAwMDA"})
  void listAliases_withBogusMarker_isInvalidMarkerException(String marker) {
    // "a2V5OjAwMDA" is base64url of "key:0000", a ListKeys-shaped marker.
    assertThrows(InvalidMarkerException.class, () -> kms.listAliases(b -> b.marker(marker)));
  }

  @Test
  void listAliases_forUnknownKey_isNotFoundException() {
    assertThrows(
        NotFoundException.class,
        () -> kms.listAliases(b -> b.keyId("00000000-0000-4000-8000-000000000000")));
  }

  // --- Regions -----------------------------------------------------------------------------------

  @Test
  void key_createdInUsWest2_isNotFoundInUsEast1() {
    KmsClient west = server.client(Region.US_WEST_2);
    String keyId = newKey(west);

    assertEquals(
        keyArn("us-west-2", keyId), west.describeKey(b -> b.keyId(keyId)).keyMetadata().arn());
    assertThrows(NotFoundException.class, () -> kms.describeKey(b -> b.keyId(keyId)));
    assertThrows(
        NotFoundException.class,
        () -> kms.encrypt(b -> b.keyId(keyId).plaintext(SdkBytes.fromUtf8String("x"))));
    assertThrows(NotFoundException.class, () -> kms.disableKey(b -> b.keyId(keyId)));
  }

  @Test
  void listKeys_differsPerRegion() {
    KmsClient west = server.client(Region.US_WEST_2);
    String westKey = newKey(west);
    String eastKey = newKey(kms);

    List<String> westIds = allKeyIds(west);
    List<String> eastIds = allKeyIds(kms);

    assertTrue(westIds.contains(westKey));
    assertFalse(westIds.contains(eastKey));
    assertTrue(eastIds.contains(eastKey));
    assertFalse(eastIds.contains(westKey));
  }

  @Test
  void alias_inUsWest2_doesNotExistInUsEast1() {
    KmsClient west = server.client(Region.US_WEST_2);
    String westKey = newKey(west);
    String alias = uniqueAliasName();
    west.createAlias(b -> b.aliasName(alias).targetKeyId(westKey));

    assertThrows(NotFoundException.class, () -> kms.describeKey(b -> b.keyId(alias)));
    assertThrows(NotFoundException.class, () -> kms.deleteAlias(b -> b.aliasName(alias)));
    assertFalse(allAliases(kms, b -> b).stream().anyMatch(a -> a.aliasName().equals(alias)));

    // The same name is free in us-east-1 and names a different key there.
    String eastKey = newKey(kms);
    kms.createAlias(b -> b.aliasName(alias).targetKeyId(eastKey));
    assertEquals(eastKey, kms.describeKey(b -> b.keyId(alias)).keyMetadata().keyId());
    assertEquals(westKey, west.describeKey(b -> b.keyId(alias)).keyMetadata().keyId());
  }

  @Test
  void ciphertext_fromUsWest2_doesNotDecryptInUsEast1() {
    KmsClient west = server.client(Region.US_WEST_2);
    String westKey = newKey(west);
    SdkBytes blob =
        west.encrypt(b -> b.keyId(westKey).plaintext(SdkBytes.fromUtf8String("x")))
            .ciphertextBlob();

    assertThrows(InvalidCiphertextException.class, () -> kms.decrypt(b -> b.ciphertextBlob(blob)));
    assertEquals("x", west.decrypt(b -> b.ciphertextBlob(blob)).plaintext().asUtf8String());
  }

  private List<String> aliasNamesOf(String keyId) {
    return allAliases(kms, b -> b.keyId(keyId)).stream().map(AliasListEntry::aliasName).toList();
  }

  private AliasListEntry onlyAliasOf(String keyId) {
    List<AliasListEntry> list = allAliases(kms, b -> b.keyId(keyId));
    assertEquals(1, list.size(), () -> "aliases of " + keyId + ": " + list);
    return list.get(0);
  }

  private static List<AliasListEntry> allAliases(
      KmsClient client, UnaryOperator<ListAliasesRequest.Builder> filter) {
    List<AliasListEntry> out = new ArrayList<>();
    String marker = null;
    int pages = 0;
    do {
      String m = marker;
      ListAliasesResponse page = client.listAliases(b -> filter.apply(b.limit(100).marker(m)));
      out.addAll(page.aliases());
      marker = page.truncated() ? page.nextMarker() : null;
    } while (marker != null && ++pages < 10_000);
    return out;
  }
}
