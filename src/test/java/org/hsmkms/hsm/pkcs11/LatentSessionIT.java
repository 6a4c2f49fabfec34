package org.hsmkms.hsm.pkcs11;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_SECRET_KEY;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.hsm.pkcs11.KeyHandles.Owner;
import org.hsmkms.testing.TestToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xipki.pkcs11.wrapper.PKCS11Module;
import org.xipki.pkcs11.wrapper.Session;

/**
 * The latency model on the real token: each room's work is charged one round trip per Cryptoki
 * function it calls, and the round trip is spent while the work holds its session.
 */
class LatentSessionIT {
  private PKCS11Module module;
  private LoggedInToken token;
  private SessionExecutor executor;
  private TokenRandom random;
  private Pkcs11KeyInventory inventory;
  private KeyHandles handles;
  private WorkingCopies copies;
  private CallLatency latency;

  private void open(long micros, int sessions) {
    TestToken.dir();
    latency = new CallLatency(micros);
    module = LoadedModules.acquire(TestToken.module());
    token = LoggedInToken.find(module, TestToken.LABEL, TestToken.PIN.toCharArray(), latency);
    handles = new KeyHandles();
    executor =
        new SessionExecutor(
            token, new SessionPool(token.token(), sessions, 5000, token.latency()), handles);
    copies = new WorkingCopies(token::openLoggedIn, 0);
    random = new TokenRandom(executor);
    inventory = new Pkcs11KeyInventory(executor, handles, copies);
    executor.call(
        "C_Login",
        s -> {
          token.login(s);
          return null;
        });
  }

  @BeforeEach
  void defaults() {
    open(1, 2);
  }

  @AfterEach
  void close() {
    random.close();
    copies.close();
    executor.close();
    token.close();
    LoadedModules.release(module);
  }

  @Test
  void sessionsOfThePool_areLatent_andEachCryptokiFunctionIsChargedOnce() throws Exception {
    Session first = executor.pool().borrow();
    assertInstanceOf(LatentSession.class, first);
    long before = latency.calls();
    byte[] r = executor.call("C_GenerateRandom", s -> s.generateRandom(16));
    executor.pool().giveBack(first);
    assertEquals(16, r.length);
    assertEquals(before + 2, latency.calls(), "C_OpenSession of a second session + 1 call");

    MaterialId id = MaterialId.of(random.generateRandom(16));
    inventory.generateAesKey(id, "latent-session-it");
    try {
      handles.clear();
      before = latency.calls();
      Long found = executor.call("find", s -> KeyHandles.find(s, id, CKO_SECRET_KEY, Owner.CMK));
      assertTrue(found != null);
      // C_FindObjectsInit, C_FindObjects, C_FindObjectsFinal, and C_GetAttributeValue of the label.
      assertEquals(before + 4, latency.calls());

      Pkcs11AesGcm iaik =
          new Pkcs11AesGcm(
              executor, handles, copies, random, latency.gcm(GcmLayer.IAIK), Owner.CMK);
      iaik.encrypt(id, new byte[32], new byte[0]); // the IV's block may be fetched here
      before = latency.calls();
      byte[] sealed = iaik.encrypt(id, new byte[32], new byte[0]);
      assertEquals(before + 2, latency.calls(), "C_EncryptInit + C_Encrypt, handle cached");
      before = latency.calls();
      byte[] plain =
          iaik.decrypt(
              id,
              Arrays.copyOf(sealed, 12),
              Arrays.copyOfRange(sealed, 12, sealed.length),
              new byte[0]);
      assertArrayEquals(new byte[32], plain);
      assertEquals(before + 2, latency.calls(), "C_DecryptInit + C_Decrypt");
    } finally {
      inventory.destroyKey(id);
    }
  }

  @Test
  void theRoundTripIsSpent_whileTheWorkHoldsItsSession() throws Exception {
    close();
    open(300_000, 1);
    CompletableFuture<byte[]> call =
        CompletableFuture.supplyAsync(
            () -> executor.call("C_GenerateRandom", s -> s.generateRandom(8)));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (executor.pool().inUse() == 0 && System.nanoTime() < deadline && !call.isDone()) {
      Thread.onSpinWait();
    }
    assertFalse(call.isDone(), "the call is still in its round trip");
    assertEquals(1, executor.pool().inUse(), "and holds the only session meanwhile");
    assertEquals(8, call.get(5, TimeUnit.SECONDS).length);
    assertEquals(0, executor.pool().inUse());
  }
}
