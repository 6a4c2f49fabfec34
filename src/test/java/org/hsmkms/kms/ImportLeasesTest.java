package org.hsmkms.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.hsmkms.authz.DefaultKeyPolicy;
import org.hsmkms.hsm.KeyImport;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.store.ImportedMaterialRecord;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MaterialRecord;
import org.hsmkms.testing.PostgresServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Imports on several nodes (issue 15, item 2): an import in flight (its key owned, its object
 * unwrapped, the store not yet told) and a wrapping key pair in the making (leased, its parameters
 * not yet recorded) are the node's own while it lives, so another node's start-up repair and
 * periodic repair leave them; once the node is dead they are repaired. Owning a key's row is
 * exclusive, so an import or deletion of material on one node is refused while another works on the
 * key; the expiry of material is carried out once however many nodes sweep. Each node is what a
 * process holds: its own store (connection pool), cluster node, imports and import sweep, on one
 * real PostgreSQL database and one real SoftHSM2 token.
 */
class ImportLeasesTest {
  @RegisterExtension static final TokenFixture TOKEN = TokenFixture.perClass();

  private static final Duration HEARTBEAT = Duration.ofSeconds(1);
  private static final Duration LEASE = Duration.ofSeconds(2);

  private String url;
  private final List<Node> nodes = new ArrayList<>();

  /** One process: a store of its own, registered as a node, with its import services. */
  private final class Node extends StoreNode {
    final KeyMaterialImport imports =
        new KeyMaterialImport(
            TOKEN.hsm().keyImport(),
            TOKEN.hsm().inventory(),
            TOKEN.hsm().random(),
            store,
            keys,
            Clock.systemUTC(),
            cluster);
    final ImportSweep sweep =
        new ImportSweep(
            imports,
            TOKEN.hsm().keyImport(),
            TOKEN.hsm().inventory(),
            store,
            keys,
            Clock.systemUTC(),
            cluster);

    Node() {
      super(url, HEARTBEAT, LEASE);
    }
  }

  @BeforeEach
  void database() {
    url = PostgresServer.get().createDatabase();
  }

  @AfterEach
  void stop() {
    nodes.forEach(Node::close);
  }

  private Node node() {
    Node n = new Node();
    nodes.add(n);
    return n;
  }

  /** A symmetric key of origin EXTERNAL in {@code state}, under the account's default policy. */
  private static KeyRecord externalKey(Node n, KeyState state) {
    String id = UUID.randomUUID().toString();
    byte[] material = new byte[16];
    ThreadLocalRandom.current().nextBytes(material);
    String hex = HexFormat.of().formatHex(material);
    Instant created = Instant.now().minusSeconds(3600);
    KeyRecord key =
        new KeyRecord(
            id,
            StoredKeys.ACCOUNT,
            StoredKeys.REGION,
            state.awsName(),
            "SYMMETRIC_DEFAULT",
            "ENCRYPT_DECRYPT",
            "EXTERNAL",
            "",
            DefaultKeyPolicy.forAccount(StoredKeys.ACCOUNT),
            created,
            null,
            null,
            hex);
    n.store.insertKey(key, new MaterialRecord(hex, id, created));
    return key;
  }

  private static MaterialId materialOf(KeyRecord key) {
    return MaterialId.fromHex(key.currentMaterialId());
  }

  private static boolean hasWrappingKey(MaterialId id) {
    return TOKEN.hsm().keyImport().listWrappingKeys().contains(id);
  }

  private static void waitFor(String what, Duration limit, BooleanSupplier condition)
      throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + limit + ": " + what);
      }
      Thread.sleep(100);
    }
  }

  /**
   * Node A between the steps of its imports: a key it owns whose material is unwrapped into the
   * token (ImportKeyMaterial before completeImport), and a wrapping key pair it leased and made
   * (GetParametersForImport before its parameters are recorded).
   */
  private record InFlight(KeyRecord key, MaterialId wrapping) {}

  private static InFlight importsInFlightOn(Node a) {
    KeyRecord key = externalKey(a, KeyState.PENDING_IMPORT);
    assertTrue(a.cluster.ownKey(key.keyId()));
    TOKEN.hsm().inventory().generateAesKey(materialOf(key), key.keyId());
    MaterialId wrapping = MaterialId.of(TOKEN.hsm().random().generateRandom(16));
    assertTrue(a.cluster.takeLease(KeyMaterialImport.wrappingLease(wrapping)));
    TOKEN
        .hsm()
        .keyImport()
        .generateWrappingKey(wrapping, 2048, KeyImport.Wrapping.RSAES_OAEP_SHA_256, key.keyId());
    return new InFlight(key, wrapping);
  }

  @Test
  void aLiveNodesImportsInFlight_surviveAnotherNodesRepair_andAreRepairedOnceItsOwnerIsDead()
      throws Exception {
    Node a = node();
    InFlight work = importsInFlightOn(a);

    Node b = node();
    assertEquals(0, b.sweep.reconcile(), "start-up repair leaves the live node's import");
    assertEquals(0, b.sweep.reconcileAbandoned(), "so does the periodic repair");
    assertTrue(TOKEN.hsm().inventory().keyExists(materialOf(work.key())));
    assertTrue(hasWrappingKey(work.wrapping()), "the leased wrapping key pair is left");
    assertFalse(b.cluster.ownKey(work.key().keyId()), "the key's row stays A's");

    a.die();
    waitFor(
        "B repairs what the dead node left",
        Duration.ofSeconds(10),
        () -> {
          b.sweep.reconcileAbandoned();
          return !TOKEN.hsm().inventory().keyExists(materialOf(work.key()))
              && !hasWrappingKey(work.wrapping());
        });
    assertEquals("PendingImport", b.store.findKey(work.key().keyId()).orElseThrow().keyState());
    assertTrue(b.cluster.ownKey(work.key().keyId()), "the repair gave the row up");
  }

  @Test
  void aDeadNodesImportsInFlight_areRepairedByTheStartUpOfAnotherNode() throws Exception {
    Node a = node();
    InFlight work = importsInFlightOn(a);
    a.die();
    Thread.sleep(LEASE.toMillis() + 500);

    Node c = node();
    assertEquals(1, c.sweep.reconcile(), "the dead node's unwrapped object is destroyed");
    assertFalse(TOKEN.hsm().inventory().keyExists(materialOf(work.key())));
    assertFalse(hasWrappingKey(work.wrapping()), "the never-answered wrapping pair is destroyed");
  }

  @Test
  void importKeyMaterial_onANodeWhileAnotherLiveNodeOwnsTheKey_isRefusedAndDestroysNothing()
      throws Exception {
    Node a = node();
    Node b = node();
    KeyRecord key = externalKey(a, KeyState.PENDING_IMPORT);
    KeyMaterialImport.ImportRequest request = wrappedMaterialFor(b, key);
    assertTrue(a.cluster.ownKey(key.keyId()));
    TOKEN.hsm().inventory().generateAesKey(materialOf(key), key.keyId());

    KmsException refused =
        assertThrows(
            KmsException.class, () -> b.imports.importKeyMaterial(StoredKeys.caller(), request));
    assertEquals(ErrorCode.INVALID_STATE, refused.code());
    assertTrue(TOKEN.hsm().inventory().keyExists(materialOf(key)), "A's object is untouched");

    a.cluster.disownKey(key.keyId());
    TOKEN.hsm().inventory().destroyKey(materialOf(key));
    b.imports.importKeyMaterial(StoredKeys.caller(), request);
    assertEquals("Enabled", a.store.findKey(key.keyId()).orElseThrow().keyState());
    // B gave the row up: A may delete the material it imported.
    a.imports.deleteImportedKeyMaterial(StoredKeys.caller(), key.keyId(), null);
    assertEquals("PendingImport", b.store.findKey(key.keyId()).orElseThrow().keyState());
    assertFalse(TOKEN.hsm().inventory().keyExists(materialOf(key)));
  }

  /** GetParametersForImport on {@code n}, and 32 random bytes wrapped as a client would. */
  private static KeyMaterialImport.ImportRequest wrappedMaterialFor(Node n, KeyRecord key)
      throws Exception {
    KeyMaterialImport.ImportParameters p =
        n.imports.getParametersForImport(
            StoredKeys.caller(), key.keyId(), "RSAES_OAEP_SHA_256", "RSA_2048");
    PublicKey publicKey =
        KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(p.publicKey()));
    Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
    oaep.init(
        Cipher.ENCRYPT_MODE,
        publicKey,
        new OAEPParameterSpec(
            "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT));
    byte[] material = new byte[32];
    ThreadLocalRandom.current().nextBytes(material);
    return new KeyMaterialImport.ImportRequest(
        key.keyId(),
        p.importToken(),
        oaep.doFinal(material),
        null,
        "KEY_MATERIAL_DOES_NOT_EXPIRE",
        null,
        null,
        null);
  }

  @Test
  void expiredImportedMaterial_isWithdrawnOnce_whenTwoNodesSweepAtOnce() throws Exception {
    Node a = node();
    Node b = node();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 5; round++) {
        KeyRecord key = externalKey(a, KeyState.ENABLED);
        TOKEN.hsm().inventory().generateAesKey(materialOf(key), key.keyId());
        Instant past = Instant.now().minusSeconds(60);
        a.store.completeImport(
            new ImportedMaterialRecord(
                key.keyId(), "00", "KEY_MATERIAL_EXPIRES", past, past.minusSeconds(60)),
            key);
        List<Callable<Integer>> sweeps =
            List.of(
                () -> a.sweep.sweep().materialsExpired(), () -> b.sweep.sweep().materialsExpired());
        int expired = 0;
        for (Future<Integer> f : pool.invokeAll(sweeps)) {
          expired += f.get();
        }
        assertEquals(1, expired, "one withdrawal between the two nodes");
        assertEquals("PendingImport", b.store.findKey(key.keyId()).orElseThrow().keyState());
        assertFalse(TOKEN.hsm().inventory().keyExists(materialOf(key)));
        assertTrue(a.cluster.ownKey(key.keyId()), "the withdrawing node gave the row up");
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
