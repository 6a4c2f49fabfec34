package org.hsmkms.hsm.pkcs11;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.testing.TestToken;
import org.junit.jupiter.api.Test;
import org.xipki.pkcs11.wrapper.Session;

/** The session pool on the real test token: closing it waits for sessions still in use. */
class SessionPoolIT {

  @Test
  void close_waitsForABorrowedSession_andRefusesNewBorrows() throws Exception {
    SessionPool pool = new SessionPool(TestToken.slot().getToken(), 2, 1000);
    Session borrowed = pool.borrow();
    pool.giveBack(pool.borrow()); // one idle session, closed at once by close()
    assertEquals(2, pool.openSessions());

    CompletableFuture<Void> closing = CompletableFuture.runAsync(pool::close);

    Thread.sleep(300);
    assertFalse(closing.isDone(), "close() returned while a session was still in use");
    assertEquals(1, pool.openSessions());
    assertThrows(HsmException.class, pool::borrow);

    pool.giveBack(borrowed);
    closing.get(5, TimeUnit.SECONDS);
    assertEquals(0, pool.openSessions());
  }

  @Test
  void close_withEverySessionBack_returnsAtOnce() throws Exception {
    SessionPool pool = new SessionPool(TestToken.slot().getToken(), 2, 1000);
    pool.giveBack(pool.borrow());

    long start = System.nanoTime();
    pool.close();

    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1));
    assertEquals(0, pool.openSessions());
  }
}
