package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.hsmkms.kms.CrashPoints;
import org.hsmkms.testing.ServiceProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.GetParametersForImportResponse;
import software.amazon.awssdk.services.kms.model.KeyListEntry;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KmsInvalidStateException;
import software.amazon.awssdk.services.kms.model.RotationsListEntry;

/**
 * A process killed in the middle of a rotation, an import and a CreateKey (issue 14 item 7): the
 * service runs as a separate JVM ({@link ServiceProcess}); a first run without a fault prepares
 * keys and ciphertexts; a second run with {@code -Dhsmkms.crashAt} halts (status 137) at a {@link
 * CrashPoints} point while it serves the request; a third run without the fault must have repaired
 * the state at start-up, which is checked through the AWS SDK and by counting the token's objects.
 */
class ProcessCrashIT {
  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);
  private final List<ServiceProcess> processes = new ArrayList<>();

  /** What must appear in no file a child wrote: the access key's secret, the PIN, plaintexts. */
  private final List<String> secrets = new ArrayList<>(List.of(ServiceProcess.SECRET_ACCESS_KEY));

  private Path dataDir;

  private Path dataDir(TestInfo test) throws Exception {
    Path base = Path.of("target", "process-crash").toAbsolutePath();
    Files.createDirectories(base);
    dataDir =
        ServiceProcess.prepareDataDir(
            Files.createTempDirectory(base, test.getTestMethod().orElseThrow().getName() + "-"));
    secrets.add(Files.readString(dataDir.resolve("pin")));
    return dataDir;
  }

  private ServiceProcess start(String crashAt) throws Exception {
    ServiceProcess p = ServiceProcess.start(dataDir, crashAt);
    processes.add(p);
    return p;
  }

  @AfterEach
  void killAndReport(TestInfo test) throws Exception {
    for (ServiceProcess p : processes) {
      p.close();
    }
    if (dataDir != null) {
      // Kept under target/ for inspection; printed into the test's report for a failure's sake.
      System.out.println(test.getDisplayName() + ": runs in " + dataDir);
      try (var runs = Files.list(dataDir)) {
        for (Path out : runs.filter(f -> f.toString().endsWith(".out")).sorted().toList()) {
          System.out.println("---- " + out.getFileName() + "\n" + Files.readString(out));
        }
      }
      assertNoSecretIn(dataDir);
    }
  }

  /** The children's console output, DEBUG logs, audit trail and credentials file hold no secret. */
  private void assertNoSecretIn(Path dir) throws Exception {
    List<String> leaks = new ArrayList<>();
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String name = f.getFileName().toString();
        if (name.endsWith(".out")
            || name.endsWith(".log")
            || name.equals("server-credentials")
            || name.equals("credentials")) {
          String text = Files.readString(f);
          for (int i = 0; i < secrets.size(); i++) {
            // The client's credentials file is where dev writes the secret for the AWS CLI.
            if (text.contains(secrets.get(i)) && !(name.equals("credentials") && i == 0)) {
              leaks.add(name + " contains secret #" + i);
            }
          }
        }
      }
    }
    assertTrue(leaks.isEmpty(), () -> "secrets leaked to disk: " + leaks);
  }

  /** Encrypts {@code text}, which is then a secret the logs must not show. */
  private byte[] encryptSecret(KmsClient kms, String keyId, String text) {
    secrets.add(text);
    return encrypt(kms, keyId, text);
  }

  /** Sends the request that reaches the point; the process must halt with 137, the call fail. */
  private void crashWith(ServiceProcess p, Runnable request) throws Exception {
    assertThrows(SdkClientException.class, request::run);
    assertEquals(137, p.awaitExit(EXIT_TIMEOUT), "exit status of the process that crashed");
  }

  @Test
  void rotation_killedAfterTheClaim_isRolledBackAndTheKeyRotatesAgain(TestInfo test)
      throws Exception {
    dataDir(test);
    ServiceProcess first = start(null);
    KmsClient kms = first.client();
    String keyId = kms.createKey(b -> b.description("rotation.claimed")).keyMetadata().keyId();
    byte[] before = encryptSecret(kms, keyId, "made with the first material");
    kms.rotateKeyOnDemand(b -> b.keyId(keyId));
    byte[] afterFirstRotation = encryptSecret(kms, keyId, "made with the second material");
    String second = currentMaterial(kms, keyId);
    first.stop();
    int objects = ServiceProcess.tokenObjects(dataDir);

    ServiceProcess crashing = start(CrashPoints.ROTATION_CLAIMED);
    KmsClient doomed = crashing.client();
    crashWith(crashing, () -> doomed.rotateKeyOnDemand(b -> b.keyId(keyId)));
    assertEquals(objects, ServiceProcess.tokenObjects(dataDir), "no material was made");

    ServiceProcess repaired = start(null);
    kms = repaired.client();
    assertTrue(
        repaired
            .output()
            .contains("a rotation was interrupted before the HSM made its material; rolled back"),
        "the reconciler reports the rollback");
    assertEquals(KeyState.ENABLED, describe(kms, keyId).keyState());
    assertEquals(second, currentMaterial(kms, keyId));
    List<RotationsListEntry> rotations = rotations(kms, keyId);
    assertEquals(1, rotations.size(), () -> "only the completed rotation: " + rotations);
    assertEquals(second, rotations.get(0).keyMaterialId());
    // No claim is left behind: the status shows no on-demand rotation in progress.
    assertNull(kms.getKeyRotationStatus(b -> b.keyId(keyId)).onDemandRotationStartDate());
    assertDecrypts(kms, before, "made with the first material");
    assertDecrypts(kms, afterFirstRotation, "made with the second material");
    assertCurrentMaterialWorks(kms, keyId);

    kms.rotateKeyOnDemand(b -> b.keyId(keyId));
    String third = currentMaterial(kms, keyId);
    assertNotEquals(second, third);
    assertEquals(2, rotations(kms, keyId).size());
    assertCurrentMaterialWorks(kms, keyId);
    assertDecrypts(kms, before, "made with the first material");
    repaired.stop();
    assertEquals(objects + 1, ServiceProcess.tokenObjects(dataDir), "one new material, no other");
  }

  @Test
  void rotation_killedAfterTheHsmMadeTheMaterial_isCompletedAtStartUp(TestInfo test)
      throws Exception {
    dataDir(test);
    ServiceProcess first = start(null);
    KmsClient kms = first.client();
    String keyId =
        kms.createKey(b -> b.description("rotation.material-made")).keyMetadata().keyId();
    String initial = currentMaterial(kms, keyId);
    byte[] before = encryptSecret(kms, keyId, "made before the crash");
    first.stop();
    int objects = ServiceProcess.tokenObjects(dataDir);

    ServiceProcess crashing = start(CrashPoints.ROTATION_MATERIAL_MADE);
    KmsClient doomed = crashing.client();
    crashWith(crashing, () -> doomed.rotateKeyOnDemand(b -> b.keyId(keyId)));
    assertEquals(objects + 1, ServiceProcess.tokenObjects(dataDir), "the HSM made the material");

    ServiceProcess repaired = start(null);
    kms = repaired.client();
    assertTrue(
        repaired.output().contains("a rotation was interrupted after the HSM made material"),
        "the reconciler reports the completion");
    assertTrue(repaired.output().contains("objectsWithoutRow=0"), "no orphaned token object");
    assertEquals(KeyState.ENABLED, describe(kms, keyId).keyState());
    String current = currentMaterial(kms, keyId);
    assertNotEquals(initial, current, "the new material is current");
    List<RotationsListEntry> rotations = rotations(kms, keyId);
    assertEquals(1, rotations.size(), () -> "the completed rotation: " + rotations);
    assertEquals(current, rotations.get(0).keyMaterialId());
    assertEquals("ON_DEMAND", rotations.get(0).rotationTypeAsString());
    assertNull(kms.getKeyRotationStatus(b -> b.keyId(keyId)).onDemandRotationStartDate());
    assertEquals(initial, assertDecrypts(kms, before, "made before the crash").keyMaterialId());
    assertCurrentMaterialWorks(kms, keyId);

    kms.rotateKeyOnDemand(b -> b.keyId(keyId));
    assertEquals(2, rotations(kms, keyId).size());
    assertCurrentMaterialWorks(kms, keyId);
    repaired.stop();
    assertEquals(objects + 2, ServiceProcess.tokenObjects(dataDir));
  }

  @Test
  void import_killedAfterTheUnwrap_leavesThePendingImportKeyWhichTheSameMaterialEnables(
      TestInfo test) throws Exception {
    dataDir(test);
    String algorithm = "RSAES_OAEP_SHA_256";
    byte[] material = ImportKeyMaterialIT.aesMaterial();
    secrets.add(HexFormat.of().formatHex(material));
    secrets.add(Base64.getEncoder().encodeToString(material));
    ServiceProcess first = start(null);
    KmsClient kms = first.client();
    String keyId = ImportKeyMaterialIT.externalKey(kms);
    GetParametersForImportResponse p1 = ImportKeyMaterialIT.parameters(kms, keyId, algorithm);
    ImportKeyMaterialIT.importMaterial(
        kms, keyId, p1, ImportWrapping.jdk(algorithm, p1.publicKey().asByteArray(), material));
    String materialId = currentMaterial(kms, keyId);
    byte[] before = encryptSecret(kms, keyId, "made with the imported material");
    // The material is withdrawn, as DeleteImportedKeyMaterial (or its expiry) does; importing it
    // again is the import that is interrupted.
    kms.deleteImportedKeyMaterial(b -> b.keyId(keyId));
    GetParametersForImportResponse p2 = ImportKeyMaterialIT.parameters(kms, keyId, algorithm);
    byte[] wrapped = ImportWrapping.jdk(algorithm, p2.publicKey().asByteArray(), material);
    first.stop();
    int objects = ServiceProcess.tokenObjects(dataDir);

    ServiceProcess crashing = start(CrashPoints.IMPORT_UNWRAPPED);
    KmsClient doomed = crashing.client();
    crashWith(crashing, () -> ImportKeyMaterialIT.importMaterial(doomed, keyId, p2, wrapped));
    assertEquals(objects + 1, ServiceProcess.tokenObjects(dataDir), "the HSM unwrapped it");

    ServiceProcess repaired = start(null);
    kms = repaired.client();
    assertTrue(
        repaired.output().contains("an interrupted import or deletion of key material left an HSM"),
        "the import sweep reports the object it destroyed");
    assertEquals(KeyState.PENDING_IMPORT, describe(kms, keyId).keyState());
    KmsClient pending = kms;
    assertThrows(KmsInvalidStateException.class, () -> encrypt(pending, keyId, "x"));
    assertThrows(
        KmsInvalidStateException.class,
        () -> pending.decrypt(b -> b.ciphertextBlob(SdkBytes.fromByteArray(before))));
    repaired.stop();
    assertEquals(objects, ServiceProcess.tokenObjects(dataDir), "the leftover was destroyed");

    ServiceProcess again = start(null);
    kms = again.client();
    ImportKeyMaterialIT.importMaterial(kms, keyId, p2, wrapped);
    assertEquals(KeyState.ENABLED, describe(kms, keyId).keyState());
    assertEquals(materialId, currentMaterial(kms, keyId));
    assertEquals(
        materialId, assertDecrypts(kms, before, "made with the imported material").keyMaterialId());
    assertCurrentMaterialWorks(kms, keyId);
  }

  @Test
  void getParametersForImport_killedAfterTheHsmMadeTheWrappingKey_destroysThePairAtStartUp(
      TestInfo test) throws Exception {
    dataDir(test);
    ServiceProcess first = start(null);
    String keyId = ImportKeyMaterialIT.externalKey(first.client());
    first.stop();
    int objects = ServiceProcess.tokenObjects(dataDir);

    ServiceProcess crashing = start(CrashPoints.IMPORT_WRAPPING_KEY_MADE);
    KmsClient doomed = crashing.client();
    crashWith(crashing, () -> ImportKeyMaterialIT.parameters(doomed, keyId, "RSAES_OAEP_SHA_256"));
    assertEquals(objects + 2, ServiceProcess.tokenObjects(dataDir), "the HSM made the pair");

    ServiceProcess repaired = start(null);
    assertTrue(
        repaired.output().contains("made by an interrupted GetParametersForImport"),
        "start-up reports the pair it destroyed");
    KmsClient kms = repaired.client();
    byte[] material = ImportKeyMaterialIT.aesMaterial();
    GetParametersForImportResponse p =
        ImportKeyMaterialIT.parameters(kms, keyId, "RSAES_OAEP_SHA_1");
    ImportKeyMaterialIT.importMaterial(
        kms,
        keyId,
        p,
        ImportWrapping.jdk("RSAES_OAEP_SHA_1", p.publicKey().asByteArray(), material));
    assertEquals(KeyState.ENABLED, describe(kms, keyId).keyState());
    repaired.stop();
    // The interrupted pair is gone; the new parameters' pair and the imported key remain.
    assertEquals(objects + 3, ServiceProcess.tokenObjects(dataDir));
  }

  @Test
  void createKey_killedAfterTheHsmMadeTheKey_isCompletedAtStartUp(TestInfo test) throws Exception {
    dataDir(test);
    ServiceProcess first = start(null);
    KmsClient kms = first.client();
    String existing = kms.createKey(b -> b.description("made before")).keyMetadata().keyId();
    byte[] before = encryptSecret(kms, existing, "made before the crash");
    first.stop();
    int objects = ServiceProcess.tokenObjects(dataDir);

    ServiceProcess crashing = start(CrashPoints.CREATE_KEY_MATERIAL_MADE);
    KmsClient doomed = crashing.client();
    crashWith(crashing, () -> doomed.createKey(b -> b.description("interrupted")));
    assertEquals(objects + 1, ServiceProcess.tokenObjects(dataDir), "the HSM made the key");

    ServiceProcess repaired = start(null);
    kms = repaired.client();
    assertTrue(
        repaired.output().contains("creationsCompleted=1"),
        "the reconciler completed one CreateKey");
    assertTrue(repaired.output().contains("objectsWithoutRow=0"), "no orphaned token object");
    List<String> ids =
        kms.listKeys(b -> b.limit(100)).keys().stream().map(KeyListEntry::keyId).toList();
    assertEquals(2, ids.size(), () -> "the key made before and the interrupted one: " + ids);
    String interrupted = ids.get(0).equals(existing) ? ids.get(1) : ids.get(0);
    KeyMetadata md = describe(kms, interrupted);
    assertEquals(KeyState.ENABLED, md.keyState());
    assertEquals("interrupted", md.description());
    assertCurrentMaterialWorks(kms, interrupted);
    assertDecrypts(kms, before, "made before the crash");
    repaired.stop();
    assertEquals(objects + 1, ServiceProcess.tokenObjects(dataDir));
  }

  private static byte[] encrypt(KmsClient kms, String keyId, String text) {
    return kms.encrypt(b -> b.keyId(keyId).plaintext(SdkBytes.fromUtf8String(text)))
        .ciphertextBlob()
        .asByteArray();
  }

  private static DecryptResponse assertDecrypts(KmsClient kms, byte[] blob, String text) {
    DecryptResponse r = kms.decrypt(b -> b.ciphertextBlob(SdkBytes.fromByteArray(blob)));
    assertEquals(text, r.plaintext().asUtf8String());
    return r;
  }

  /** A new ciphertext names the key's CurrentKeyMaterialId and decrypts. */
  private static void assertCurrentMaterialWorks(KmsClient kms, String keyId) {
    String current = currentMaterial(kms, keyId);
    byte[] blob = encrypt(kms, keyId, "made after the repair");
    assertEquals(current, assertDecrypts(kms, blob, "made after the repair").keyMaterialId());
  }

  private static KeyMetadata describe(KmsClient kms, String keyId) {
    return kms.describeKey(b -> b.keyId(keyId)).keyMetadata();
  }

  private static String currentMaterial(KmsClient kms, String keyId) {
    return describe(kms, keyId).currentKeyMaterialId();
  }

  private static List<RotationsListEntry> rotations(KmsClient kms, String keyId) {
    return kms.listKeyRotations(b -> b.keyId(keyId)).rotations();
  }
}
