package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.kms.Reconciler;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.AliasListEntry;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.KeyListEntry;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.Tag;

/**
 * A server stopped and started again on the same data directory (and the same token) serves the
 * same keys, aliases, tags and states, and opens every blob it made before.
 */
class RestartIT {
  private static final String ARN_PREFIX = "arn:aws:kms:us-east-1:111122223333:key/";

  /** A blob, what it must decrypt to, under which context and by which key. */
  private record Sealed(String keyId, byte[] blob, byte[] plaintext, Map<String, String> context) {}

  /** Everything a client can read about the keys, to compare before and after a restart. */
  private record Snapshot(
      Map<String, KeyMetadata> keys,
      List<KeyListEntry> listKeys,
      List<AliasListEntry> aliases,
      Map<String, List<Tag>> tags) {}

  private static Snapshot snapshot(KmsClient kms, List<String> keyIds) {
    Map<String, KeyMetadata> keys = new LinkedHashMap<>();
    Map<String, List<Tag>> tags = new LinkedHashMap<>();
    for (String id : keyIds) {
      keys.put(id, kms.describeKey(b -> b.keyId(id)).keyMetadata());
      tags.put(id, kms.listResourceTags(b -> b.keyId(id)).tags());
    }
    return new Snapshot(
        keys, kms.listKeys(b -> {}).keys(), kms.listAliases(b -> {}).aliases(), tags);
  }

  private static Sealed encrypt(
      KmsClient kms, String keyId, String text, Map<String, String> context) {
    byte[] pt = text.getBytes(StandardCharsets.UTF_8);
    byte[] blob =
        kms.encrypt(
                b ->
                    b.keyId(keyId).plaintext(SdkBytes.fromByteArray(pt)).encryptionContext(context))
            .ciphertextBlob()
            .asByteArray();
    return new Sealed(keyId, blob, pt, context);
  }

  private static void assertDecrypts(KmsClient kms, Sealed s) {
    var d =
        kms.decrypt(
            b -> b.ciphertextBlob(SdkBytes.fromByteArray(s.blob())).encryptionContext(s.context()));
    assertArrayEquals(s.plaintext(), d.plaintext().asByteArray());
    assertEquals(ARN_PREFIX + s.keyId(), d.keyId());
  }

  @Test
  void keysAliasesTagsStatesAndOldBlobs_surviveTwoRestarts() {
    Path dir = TestServer.newDataDir();
    List<String> keyIds = new ArrayList<>();
    List<Sealed> sealed = new ArrayList<>();
    Sealed underDisabledKey;
    String enabled;
    String disabled;
    Snapshot before;

    TestServer server = TestServer.start(dir);
    try (KmsClient kms = server.client()) {
      enabled =
          kms.createKey(
                  b ->
                      b.description("restart: enabled")
                          .tags(
                              Tag.builder().tagKey("Owner").tagValue("alice").build(),
                              Tag.builder().tagKey("Env").tagValue("test").build(),
                              Tag.builder().tagKey("Temp").tagValue("x").build()))
              .keyMetadata()
              .keyId();
      kms.untagResource(b -> b.keyId(enabled).tagKeys("Temp"));
      kms.tagResource(
          b -> b.keyId(enabled).tags(Tag.builder().tagKey("Owner").tagValue("bob").build()));
      kms.updateKeyDescription(b -> b.keyId(enabled).description("restart: enabled, updated"));
      kms.createAlias(b -> b.aliasName("alias/restart-main").targetKeyId(enabled));
      kms.createAlias(b -> b.aliasName("alias/restart-second").targetKeyId(enabled));

      disabled = kms.createKey(b -> b.description("restart: disabled")).keyMetadata().keyId();
      kms.createAlias(b -> b.aliasName("alias/restart-disabled").targetKeyId(disabled));
      underDisabledKey = encrypt(kms, disabled, "sealed before disabling", Map.of());
      kms.disableKey(b -> b.keyId(disabled));

      String pending = kms.createKey(b -> b.description("restart: pending")).keyMetadata().keyId();
      kms.scheduleKeyDeletion(b -> b.keyId(pending).pendingWindowInDays(10));
      keyIds.addAll(List.of(enabled, disabled, pending));

      sealed.add(encrypt(kms, enabled, "no context", Map.of()));
      Sealed viaAlias =
          encrypt(
              kms,
              "alias/restart-main",
              "with context",
              Map.of("tenant", "acme", "purpose", "restart"));
      sealed.add(new Sealed(enabled, viaAlias.blob(), viaAlias.plaintext(), viaAlias.context()));
      var dk =
          kms.generateDataKey(
              b ->
                  b.keyId(enabled)
                      .keySpec(DataKeySpec.AES_256)
                      .encryptionContext(Map.of("dk", "1")));
      sealed.add(
          new Sealed(
              enabled,
              dk.ciphertextBlob().asByteArray(),
              dk.plaintext().asByteArray(),
              Map.of("dk", "1")));
      var dk64 = kms.generateDataKey(b -> b.keyId(enabled).numberOfBytes(64));
      sealed.add(
          new Sealed(
              enabled,
              dk64.ciphertextBlob().asByteArray(),
              dk64.plaintext().asByteArray(),
              Map.of()));
      byte[] noPlaintext =
          kms.generateDataKeyWithoutPlaintext(b -> b.keyId(enabled).keySpec(DataKeySpec.AES_128))
              .ciphertextBlob()
              .asByteArray();
      byte[] itsPlaintext =
          kms.decrypt(b -> b.ciphertextBlob(SdkBytes.fromByteArray(noPlaintext)))
              .plaintext()
              .asByteArray();
      assertEquals(16, itsPlaintext.length);
      sealed.add(new Sealed(enabled, noPlaintext, itsPlaintext, Map.of()));
      for (Sealed s : sealed) {
        assertDecrypts(kms, s);
      }

      before = snapshot(kms, keyIds);
      assertEquals(KeyState.ENABLED, before.keys().get(enabled).keyState());
      assertEquals(KeyState.DISABLED, before.keys().get(disabled).keyState());
      assertEquals(KeyState.PENDING_DELETION, before.keys().get(pending).keyState());
      assertEquals(3, before.aliases().size());
      assertEquals(2, before.tags().get(enabled).size());
    } finally {
      server.close();
    }

    for (int restart = 1; restart <= 2; restart++) {
      server = TestServer.start(dir);
      try (KmsClient kms = server.client()) {
        assertEquals(before, snapshot(kms, keyIds), "after restart " + restart);
        for (Sealed s : sealed) {
          assertDecrypts(kms, s);
        }
        assertThrows(
            DisabledException.class,
            () ->
                kms.decrypt(
                    b -> b.ciphertextBlob(SdkBytes.fromByteArray(underDisabledKey.blob()))));
        for (String id : keyIds) {
          String hex = server.app().store().findKey(id).orElseThrow().currentMaterialId();
          assertTrue(
              server.app().hsm().inventory().keyExists(MaterialId.fromHex(hex)),
              "token object of " + id + " after restart " + restart);
        }
        Reconciler.Report report = server.app().reconciler().reconcile();
        assertEquals(
            List.of(0, 0, 0, 0),
            List.of(
                report.creationsCompleted(),
                report.creationsRolledBack(),
                report.deletionsCompleted(),
                report.rowsWithoutMaterial()),
            report.toString());

        // New encryptions work, and are checked again after the next restart.
        sealed.add(
            encrypt(
                kms,
                enabled,
                "sealed after restart " + restart,
                Map.of("restart", Integer.toString(restart))));
        assertDecrypts(kms, sealed.get(sealed.size() - 1));
      } finally {
        server.close();
      }
    }

    server = TestServer.start(dir);
    try (KmsClient kms = server.client()) {
      kms.enableKey(b -> b.keyId(disabled));
      assertDecrypts(kms, underDisabledKey);
      for (Sealed s : sealed) {
        assertDecrypts(kms, s);
      }
    } finally {
      server.close();
    }
  }

  @Test
  void dataDirectoryCopiedWhileTheServerRuns_asAfterACrash_servesTheSameKeysAndBlobs() {
    Path dir = TestServer.newDataDir();
    Path crashed = TestServer.newDataDir();
    List<String> keyIds = new ArrayList<>();
    Sealed s;
    Snapshot before;
    TestServer server = TestServer.start(dir);
    try (KmsClient kms = server.client()) {
      String keyId =
          kms.createKey(
                  b -> b.description("crash").tags(Tag.builder().tagKey("t").tagValue("v").build()))
              .keyMetadata()
              .keyId();
      kms.createAlias(b -> b.aliasName("alias/crash").targetKeyId(keyId));
      String disabled = kms.createKey(b -> {}).keyMetadata().keyId();
      kms.disableKey(b -> b.keyId(disabled));
      keyIds.addAll(List.of(keyId, disabled));
      s = encrypt(kms, keyId, "written just before the crash", Map.of("c", "1"));
      before = snapshot(kms, keyIds);
      // The files as a kill -9 would leave them: the store is not closed, the WAL not checkpointed.
      copyFiles(dir, crashed);
    } finally {
      server.close();
    }

    server = TestServer.start(crashed);
    try (KmsClient kms = server.client()) {
      assertEquals(before, snapshot(kms, keyIds));
      assertDecrypts(kms, s);
    } finally {
      server.close();
    }
  }

  private static void copyFiles(Path from, Path to) {
    try (var files = Files.list(from)) {
      Files.createDirectories(to);
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
