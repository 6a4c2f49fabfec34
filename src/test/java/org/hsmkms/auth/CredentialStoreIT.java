package org.hsmkms.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.pkcs11.Pkcs11Diagnostics;
import org.hsmkms.testing.SuiteSecrets;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;

/**
 * Secrets at rest, on the real test token: sealed under a service key that is sensitive and never
 * extractable, bound to their entry, and loaded (and reloaded) by the credential store.
 */
class CredentialStoreIT {
  private static final String SECRET = "store-it-secret-0123456789";
  private static final String OTHER_SECRET = "store-it-other-secret-9876";

  static {
    SuiteSecrets.secret(SECRET);
    SuiteSecrets.secret(OTHER_SECRET);
  }

  private final Path dir = TestServer.newDataDir();

  @Test
  void serviceKey_isSensitiveNeverExtractable_andNotListedAsACmk() {
    TestServer.withHsm(
        hsm -> {
          new SecretSealer(hsm.serviceKeys()).ensureKey();

          Pkcs11Diagnostics.KeyAttributes a =
              hsm.diagnostics().serviceKeyAttributes(SecretSealer.KEY_ID);
          assertTrue(a.token());
          assertTrue(a.sensitive());
          assertFalse(a.extractable());
          assertTrue(a.neverExtractable());
          assertTrue(
              hsm.inventory().listKeyIds().stream().noneMatch(SecretSealer.KEY_ID::equals),
              "the service key is no CMK");
          assertFalse(
              hsm.serviceKeys().ensureServiceKey(SecretSealer.KEY_ID, SecretSealer.KEY_LABEL),
              "made once");
        });
  }

  @Test
  void serviceKey_cannotBeFoundUsedOrDestroyed_asACmk() {
    // A damaged metadata row naming the service key's id as a CMK's material must reach nothing.
    TestServer.withHsm(
        hsm -> {
          SecretSealer sealer = new SecretSealer(hsm.serviceKeys());
          sealer.ensureKey();
          String sealed =
              sealer.seal(
                  "AKIDSERVICEKEY",
                  "111122223333",
                  "arn:aws:iam::111122223333:root",
                  new byte[] {1, 2, 3});

          assertFalse(hsm.inventory().keyExists(SecretSealer.KEY_ID));
          HsmException e =
              assertThrows(
                  HsmException.class,
                  () -> hsm.symmetric().encrypt(SecretSealer.KEY_ID, new byte[16], new byte[0]));
          assertEquals(HsmException.Kind.KEY_NOT_FOUND, e.kind());
          hsm.inventory().destroyKey(SecretSealer.KEY_ID);

          assertTrue(hsm.diagnostics().serviceKeyAttributes(SecretSealer.KEY_ID).token());
          byte[] opened =
              sealer.open(
                  new CredentialsFile.Entry(
                      "AKIDSERVICEKEY", "111122223333", "arn:aws:iam::111122223333:root", sealed));
          assertArrayEquals(new byte[] {1, 2, 3}, opened);
        });
  }

  @Test
  void file_holdsNoSecretInTheClear_andTheStoreOpensIt() {
    Path file = dir.resolve("creds");
    TestServer.withHsm(
        hsm -> {
          new CredentialsAdmin(file, hsm.serviceKeys(), hsm.random())
              .put(
                  "AKIASTOREIT1",
                  "111122223333",
                  "arn:aws:iam::111122223333:user/a",
                  SECRET.getBytes(StandardCharsets.UTF_8));
          String text = Files.readString(file);
          assertFalse(text.contains(SECRET));
          assertFalse(
              text.contains(HexFormat.of().formatHex(SECRET.getBytes(StandardCharsets.UTF_8))));

          CredentialStore store = new CredentialStore(file, new SecretSealer(hsm.serviceKeys()));
          store.load();
          Credential c = store.find("AKIASTOREIT1");
          assertNotNull(c);
          assertEquals("111122223333", c.account());
          assertEquals("arn:aws:iam::111122223333:user/a", c.principalArn());
          assertNull(store.find("AKIANOBODY"));
        });
  }

  @Test
  void sealedSecret_movedToAnotherEntry_doesNotOpen() {
    Path file = dir.resolve("creds");
    TestServer.withHsm(
        hsm -> {
          CredentialsAdmin admin = new CredentialsAdmin(file, hsm.serviceKeys(), hsm.random());
          admin.put(
              "AKIASTOREIT1",
              "111122223333",
              "arn:aws:iam::111122223333:user/a",
              SECRET.getBytes(StandardCharsets.UTF_8));
          admin.put(
              "AKIASTOREIT2",
              "111122223333",
              "arn:aws:iam::111122223333:user/b",
              OTHER_SECRET.getBytes(StandardCharsets.UTF_8));
          List<CredentialsFile.Entry> entries = CredentialsFile.read(file);
          SecretSealer sealer = new SecretSealer(hsm.serviceKeys());

          CredentialsFile.Entry swapped =
              new CredentialsFile.Entry(
                  "AKIASTOREIT2",
                  "111122223333",
                  "arn:aws:iam::111122223333:user/b",
                  entries.get(0).sealedSecret());
          CredentialsFile.Entry movedAccount =
              new CredentialsFile.Entry(
                  "AKIASTOREIT1",
                  "444455556666",
                  "arn:aws:iam::444455556666:user/a",
                  entries.get(0).sealedSecret());

          assertThrows(IllegalArgumentException.class, () -> sealer.open(swapped));
          assertThrows(IllegalArgumentException.class, () -> sealer.open(movedAccount));
          byte[] opened = sealer.open(entries.get(1));
          assertEquals(OTHER_SECRET, new String(opened, StandardCharsets.UTF_8));
        });
  }

  @Test
  void entryThatDoesNotOpen_isLeftOut_andTheOthersLoad() {
    Path file = dir.resolve("creds");
    TestServer.withHsm(
        hsm -> {
          CredentialsAdmin admin = new CredentialsAdmin(file, hsm.serviceKeys(), hsm.random());
          admin.put(
              "AKIASTOREIT1",
              "111122223333",
              "arn:aws:iam::111122223333:user/a",
              SECRET.getBytes(StandardCharsets.UTF_8));
          String text = Files.readString(file);
          Files.writeString(
              file,
              text
                  + "\n[AKIAFORGED]\naccount = 111122223333\n"
                  + "principal = arn:aws:iam::111122223333:user/evil\n"
                  + "secret = hsm:v1:"
                  + "A".repeat(60)
                  + "\n");

          CredentialStore store = new CredentialStore(file, new SecretSealer(hsm.serviceKeys()));
          store.load();

          assertNotNull(store.find("AKIASTOREIT1"));
          assertNull(store.find("AKIAFORGED"));
          assertEquals(1, store.size());
        });
  }

  @Test
  void changedFile_isReloaded_andAMalformedOneFailsClosedUntilFixed() {
    Path file = dir.resolve("creds");
    TestServer.withHsm(
        hsm -> {
          CredentialsAdmin admin = new CredentialsAdmin(file, hsm.serviceKeys(), hsm.random());
          admin.put(
              "AKIASTOREIT1",
              "111122223333",
              "arn:aws:iam::111122223333:user/a",
              SECRET.getBytes(StandardCharsets.UTF_8));
          CredentialStore store = new CredentialStore(file, new SecretSealer(hsm.serviceKeys()));
          store.load();

          admin.put(
              "AKIASTOREIT2",
              "111122223333",
              "arn:aws:iam::111122223333:user/b",
              OTHER_SECRET.getBytes(StandardCharsets.UTF_8));
          assertTrue(store.reloadIfChanged());
          assertNotNull(store.find("AKIASTOREIT2"));

          admin.remove("AKIASTOREIT1");
          assertTrue(store.reloadIfChanged());
          assertNull(store.find("AKIASTOREIT1"));

          String good = Files.readString(file);
          Files.writeString(file, "[broken\n");
          assertFalse(store.reloadIfChanged());
          assertNull(store.find("AKIASTOREIT2"), "no key while the file is damaged");
          IllegalStateException e = assertThrows(IllegalStateException.class, store::checkUsable);
          assertTrue(e.getMessage().contains("is not valid"), e.getMessage());
          assertFalse(store.reloadIfChanged(), "the same damaged file is refused again");

          Files.writeString(file, good);
          assertTrue(store.reloadIfChanged());
          assertNotNull(store.find("AKIASTOREIT2"));
          store.checkUsable();
        });
  }

  @Test
  void missingFile_isRefusedAtStartUp() {
    TestServer.withHsm(
        hsm -> {
          CredentialStore store =
              new CredentialStore(dir.resolve("absent"), new SecretSealer(hsm.serviceKeys()));

          IllegalArgumentException e = assertThrows(IllegalArgumentException.class, store::load);
          assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        });
  }

  @Test
  void generatedKey_looksLikeAnAwsAccessKey() {
    TestServer.withHsm(
        hsm -> {
          CredentialsAdmin.NewKey k =
              new CredentialsAdmin(dir.resolve("creds"), hsm.serviceKeys(), hsm.random())
                  .generate();
          SuiteSecrets.secret(new String(k.secret(), StandardCharsets.UTF_8));

          assertTrue(k.accessKeyId().matches("AKIA[A-Z2-7]{16}"), k.accessKeyId());
          assertEquals(40, k.secret().length);
          assertFalse(k.toString().contains(new String(k.secret(), StandardCharsets.UTF_8)));
        });
  }

  @Test
  void secretWithSpacesOrControlCharacters_isRefused() {
    TestServer.withHsm(
        hsm -> {
          CredentialsAdmin admin =
              new CredentialsAdmin(dir.resolve("creds"), hsm.serviceKeys(), hsm.random());
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  admin.put(
                      "AKIASTOREIT1",
                      "111122223333",
                      "arn:aws:iam::111122223333:user/a",
                      " padded-secret ".getBytes(StandardCharsets.UTF_8)));
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  admin.put(
                      "AKIASTOREIT1",
                      "111122223333",
                      "arn:aws:iam::111122223333:user/a",
                      "short".getBytes(StandardCharsets.UTF_8)));
        });
  }
}
