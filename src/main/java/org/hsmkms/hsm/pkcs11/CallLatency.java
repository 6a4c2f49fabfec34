package org.hsmkms.hsm.pkcs11;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.Session;
import org.xipki.pkcs11.wrapper.Token;

/**
 * A model of a network HSM for benchmarks: every Cryptoki function the service calls takes a fixed
 * extra time, spent on the calling thread while it holds the session, as a round trip to a remote
 * HSM (Luna, nShield Connect, CloudHSM: about a millisecond) occupies both. A model that waited
 * anywhere else would hide a session pool or a worker pool too small for the latency.
 *
 * <p>Counting: one delay per Cryptoki function, as the service really calls them.
 *
 * <ul>
 *   <li>Calls through the IAIK wrapper's {@link Session} are counted by {@link LatentSession},
 *       which every session of the pool and the service's own sessions (working copies, key-pair
 *       keeper) are when the model is on: {@code C_EncryptInit} + {@code C_Encrypt} = 2, {@code
 *       C_FindObjectsInit} + {@code C_FindObjects} + {@code C_FindObjectsFinal} = 3 (an object
 *       lookup on a handle cache miss, plus one {@code C_GetAttributeValue} per label check), one
 *       {@code C_GenerateRandom} per block of {@link RandomBuffer}, one {@code C_OpenSession} per
 *       session opened, and so on.
 *   <li>AES-GCM through the JDK's layer ({@link JdkGcm}) bypasses the {@link Session} object, so
 *       {@link #gcm} charges it 2 per encryption or decryption ({@code C_*Init} + {@code C_*}).
 * </ul>
 *
 * <p>Enabled only by the system property {@value #PROPERTY} (microseconds per call), read once when
 * the token is opened and announced by a WARN line: it is a benchmark instrument, neither a
 * configuration option nor a {@code serve} flag.
 */
final class CallLatency {
  private static final Logger LOG = LoggerFactory.getLogger(CallLatency.class);

  /** Microseconds added to every PKCS#11 call; unset or 0: none. */
  static final String PROPERTY = Pkcs11Hsm.LATENCY_MICROS_PROPERTY;

  /** No delay: the calls go straight to the module. */
  static final CallLatency NONE = new CallLatency(0);

  private final long nanosPerCall;
  private final LongAdder calls = new LongAdder();

  CallLatency(long micros) {
    if (micros < 0) {
      throw new IllegalArgumentException(PROPERTY + " must not be negative");
    }
    this.nanosPerCall = TimeUnit.MICROSECONDS.toNanos(micros);
  }

  /** The model {@value #PROPERTY} asks for, announced by a WARN line when it is on. */
  static CallLatency fromSystemProperty() {
    String v = System.getProperty(PROPERTY);
    if (v == null || v.isBlank()) {
      return NONE;
    }
    long micros;
    try {
      micros = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(PROPERTY + " must be a whole number of microseconds");
    }
    if (micros == 0) {
      return NONE;
    }
    LOG.warn(
        "HSM latency model on ({}={}): every PKCS#11 call is delayed by {} µs; for benchmarks only",
        PROPERTY,
        micros,
        micros);
    return new CallLatency(micros);
  }

  boolean enabled() {
    return nanosPerCall > 0;
  }

  long microsPerCall() {
    return TimeUnit.NANOSECONDS.toMicros(nanosPerCall);
  }

  /** Cryptoki functions charged so far. */
  long calls() {
    return calls.sum();
  }

  /**
   * Spends {@code n} round trips on this thread. Parks until the deadline (a park may end early, so
   * it loops); an interrupt ends the wait and stays set, as the real call would not be interrupted
   * but the caller should still see it.
   */
  void charge(int n) {
    if (nanosPerCall == 0) {
      return;
    }
    calls.add(n);
    long deadline = System.nanoTime() + n * nanosPerCall;
    long left;
    while ((left = deadline - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
      if (Thread.currentThread().isInterrupted()) {
        return;
      }
    }
  }

  /** A new session on {@code token}: the wrapper's own, or one whose calls are charged. */
  Session openSession(Token token, boolean readWrite) throws PKCS11Exception {
    if (!enabled()) {
      return token.openSession(readWrite);
    }
    charge(1); // C_OpenSession
    Session s = token.openSession(readWrite);
    return new LatentSession(token, s.getSessionHandle(), this);
  }

  /**
   * {@code layer} with its calls charged: the JDK's layer is charged here; the IAIK layer goes
   * through {@link LatentSession}, which charges it already.
   */
  GcmLayer gcm(GcmLayer layer) {
    if (!enabled() || layer == GcmLayer.IAIK) {
      return layer;
    }
    return new GcmLayer() {
      @Override
      public String name() {
        return layer.name();
      }

      @Override
      public byte[] encrypt(Session s, long key, byte[] iv, byte[] aad, byte[] plaintext)
          throws PKCS11Exception {
        charge(2); // C_EncryptInit, C_Encrypt
        return layer.encrypt(s, key, iv, aad, plaintext);
      }

      @Override
      public byte[] decrypt(Session s, long key, byte[] iv, byte[] aad, byte[] ciphertextAndTag)
          throws PKCS11Exception {
        charge(2); // C_DecryptInit, C_Decrypt
        return layer.decrypt(s, key, iv, aad, ciphertextAndTag);
      }
    };
  }

  @Override
  public String toString() {
    return "CallLatency[" + microsPerCall() + " µs per call]";
  }
}
