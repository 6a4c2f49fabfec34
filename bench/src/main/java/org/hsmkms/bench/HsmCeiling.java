package org.hsmkms.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.hsmkms.bench.BenchReport.CeilingResult;
import org.hsmkms.crypto.CiphertextBlob;
import org.hsmkms.crypto.EncryptionContext;
import org.hsmkms.hsm.ExportedKeyPair;
import org.hsmkms.hsm.KeyPairType;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;
import org.hsmkms.kms.KeySpec;

/**
 * What the HSM itself can do: the PKCS#11 work of each operation called straight through the {@link
 * Pkcs11Hsm} roles by as many threads as the service had concurrent requests, with no HTTP,
 * signature, JSON or store in between. GenerateDataKey is {@code C_GenerateRandom} of 32 bytes and
 * an AES-GCM encryption of them; Encrypt an AES-GCM encryption of 1 KiB; Decrypt an AES-GCM
 * decryption of a 32-byte data key; GenerateRandom {@code C_GenerateRandom} of 32 bytes;
 * GenerateDataKeyPair a key pair generated and read out. The AES key is a token key like a CMK's,
 * made for the run and destroyed at its end.
 *
 * <p>The key is made and used as a CMK is (label {@code hsm-kms:bench-ceiling-...}, used through a
 * working copy), so the ceiling measures the same HSM work; it has no row in any store, so a server
 * on the same token never serves it.
 */
final class HsmCeiling implements AutoCloseable {
  private final Pkcs11Hsm hsm;
  private final MaterialId keyId;
  private final byte[] aad;
  private final byte[] plaintext;
  private final byte[] sealedDataKey;

  private HsmCeiling(Pkcs11Hsm hsm, MaterialId keyId) {
    this.hsm = hsm;
    this.keyId = keyId;
    // The same AAD the service binds to a blob under an empty encryption context.
    this.aad = CiphertextBlob.aad(UUID.randomUUID(), keyId.bytes(), EncryptionContext.empty());
    this.plaintext = hsm.random().generateRandom(Operations.ENCRYPT_BYTES);
    byte[] dataKey = hsm.random().generateRandom(32);
    this.sealedDataKey = hsm.symmetric().encrypt(keyId, dataKey, aad);
    Arrays.fill(dataKey, (byte) 0);
  }

  /** Creates the run's AES key in the token behind {@code hsm}. */
  static HsmCeiling create(Pkcs11Hsm hsm) {
    MaterialId keyId = MaterialId.of(hsm.random().generateRandom(16));
    hsm.inventory().generateAesKey(keyId, "bench-ceiling-" + keyId.hex().substring(0, 8));
    try {
      return new HsmCeiling(hsm, keyId);
    } catch (RuntimeException e) {
      hsm.inventory().destroyKey(keyId);
      throw e;
    }
  }

  /** The HSM work of one request of {@code operation}, or empty if there is no such work. */
  Optional<Runnable> work(String operation) {
    return switch (operation) {
      case Operations.GENERATE_DATA_KEY, Operations.GENERATE_DATA_KEY_WITHOUT_PLAINTEXT ->
          Optional.of(
              () -> {
                byte[] dataKey = hsm.random().generateRandom(32);
                hsm.symmetric().encrypt(keyId, dataKey, aad);
                Arrays.fill(dataKey, (byte) 0);
              });
      case Operations.ENCRYPT -> Optional.of(() -> hsm.symmetric().encrypt(keyId, plaintext, aad));
      case Operations.DECRYPT ->
          Optional.of(
              () -> {
                byte[] iv = Arrays.copyOf(sealedDataKey, CiphertextBlob.IV_LENGTH);
                byte[] ct =
                    Arrays.copyOfRange(
                        sealedDataKey, CiphertextBlob.IV_LENGTH, sealedDataKey.length);
                Arrays.fill(hsm.symmetric().decrypt(keyId, iv, ct, aad), (byte) 0);
              });
      case Operations.GENERATE_RANDOM ->
          Optional.of(() -> hsm.random().generateRandom(Operations.RANDOM_BYTES));
      default -> keyPairType(operation).map(type -> () -> generateKeyPair(type));
    };
  }

  private void generateKeyPair(KeyPairType type) {
    try (ExportedKeyPair pair = hsm.dataKeyPairs().generateDataKeyPair(type)) {
      // read out and zeroed on close, as the service does with a pair it hands out
    }
  }

  private static Optional<KeyPairType> keyPairType(String operation) {
    String prefix = Operations.GENERATE_DATA_KEY_PAIR + ":";
    if (!operation.startsWith(prefix)) {
      return Optional.empty();
    }
    return KeySpec.of(operation.substring(prefix.length())).map(KeySpec::keyPairType);
  }

  /**
   * Runs {@code work} on {@code threads} threads for the warm-up and then the duration, and counts
   * the calls completed in the duration.
   */
  static CeilingResult measure(
      String operation,
      Runnable work,
      int threads,
      Duration warmup,
      Duration duration,
      PrintStream progress) {
    LongAdder done = new LongAdder();
    LongAdder doneThisSecond = new LongAdder();
    AtomicBoolean measuring = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    List<Thread> workers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      Thread t =
          new Thread(
              () -> {
                while (!stop.get()) {
                  try {
                    work.run();
                  } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                    stop.set(true);
                    return;
                  }
                  doneThisSecond.increment();
                  if (measuring.get()) {
                    done.increment();
                  }
                }
              },
              "bench-ceiling-" + i);
      t.setDaemon(true);
      workers.add(t);
    }
    long start = System.nanoTime();
    workers.forEach(Thread::start);
    long measureFrom = start + warmup.toNanos();
    long end = measureFrom + duration.toNanos();
    long measuredAt = measureFrom;
    try {
      for (long tick = start + 1_000_000_000L; !stop.get(); ) {
        long now = System.nanoTime();
        if (!measuring.get() && now >= measureFrom) {
          measuring.set(true);
          measuredAt = now;
        }
        if (now >= end) {
          break;
        }
        if (now >= tick) {
          progress.printf(
              "  ceiling %-26s %-7s %5.0fs %9d/s%n",
              operation,
              now - 500_000_000L < measureFrom ? "warm-up" : "run",
              (now - start) / 1e9,
              doneThisSecond.sumThenReset());
          tick += 1_000_000_000L;
        }
        Thread.sleep(5);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      stop.set(true);
    }
    long count = done.sum();
    long stoppedAt = System.nanoTime();
    for (Thread t : workers) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    double seconds = (stoppedAt - measuredAt) / 1e9;
    return new CeilingResult(
        operation,
        threads,
        Math.round(seconds * 1000) / 1000.0,
        count,
        LoadRunner.round(count / seconds));
  }

  /** Destroys the run's AES key; the caller closes the HSM. */
  @Override
  public void close() {
    hsm.inventory().destroyKey(keyId);
  }
}
