package org.hsmkms.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.hsmkms.testing.ServiceProcess;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;

/**
 * Load for {@link ClusterIT}, sent to each node by threads of its own: GenerateDataKey and Decrypt
 * of the answer on one key ({@link #crypto}), or CreateKey, CreateAlias and Encrypt, each answer
 * remembered as acknowledged ({@link #writes}). A node marked {@link #goingDown} is no longer
 * counted against: its threads end at their first failure.
 */
final class ClusterLoad implements AutoCloseable {
  /** What a node acknowledged: a key, its alias (null if not yet), a ciphertext and its text. */
  record Acknowledged(String keyId, String alias, byte[] ciphertext, String plaintext) {}

  /** Counts of one node. */
  static final class Node {
    final AtomicLong succeeded = new AtomicLong();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    volatile boolean goingDown;
  }

  private final Map<ServiceProcess, Node> nodes = new ConcurrentHashMap<>();
  private final List<Thread> threads = new ArrayList<>();
  private final List<Acknowledged> acknowledged = new CopyOnWriteArrayList<>();
  private final AtomicInteger names = new AtomicInteger();
  private volatile boolean stopping;

  /** {@code threads} threads sending GenerateDataKey and Decrypt on {@code keyId} to {@code p}. */
  void crypto(ServiceProcess p, String keyId, int threads) {
    for (int i = 0; i < threads; i++) {
      KmsClient kms = p.client();
      start(
          p,
          "crypto",
          () -> {
            GenerateDataKeyResponse dk =
                kms.generateDataKey(b -> b.keyId(keyId).keySpec(DataKeySpec.AES_256));
            byte[] plaintext =
                kms.decrypt(b -> b.ciphertextBlob(dk.ciphertextBlob())).plaintext().asByteArray();
            if (!java.util.Arrays.equals(plaintext, dk.plaintext().asByteArray())) {
              throw new AssertionError("Decrypt answered another plaintext than GenerateDataKey");
            }
          });
    }
  }

  /** One thread sending CreateKey, CreateAlias and Encrypt to {@code p}. */
  void writes(ServiceProcess p, String prefix) {
    KmsClient kms = p.client();
    start(
        p,
        "writes",
        () -> {
          int n = names.incrementAndGet();
          String keyId = kms.createKey(b -> b.description(prefix + n)).keyMetadata().keyId();
          acknowledged.add(new Acknowledged(keyId, null, null, null));
          String alias = "alias/" + prefix + n;
          kms.createAlias(b -> b.aliasName(alias).targetKeyId(keyId));
          acknowledged.add(new Acknowledged(keyId, alias, null, null));
          String text = "acknowledged " + prefix + n;
          byte[] blob =
              kms.encrypt(b -> b.keyId(alias).plaintext(SdkBytes.fromUtf8String(text)))
                  .ciphertextBlob()
                  .asByteArray();
          acknowledged.add(new Acknowledged(keyId, alias, blob, text));
        });
  }

  private void start(ServiceProcess p, String kind, Runnable request) {
    Node node = node(p);
    Thread t =
        new Thread(
            () -> {
              while (!stopping) {
                try {
                  request.run();
                  node.succeeded.incrementAndGet();
                } catch (RuntimeException | AssertionError e) {
                  if (node.goingDown) {
                    return;
                  }
                  node.failures.add(e);
                }
              }
            },
            "load-" + kind + "-" + p.port());
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  Node node(ServiceProcess p) {
    return nodes.computeIfAbsent(p, k -> new Node());
  }

  /** What the nodes acknowledged so far. */
  List<Acknowledged> acknowledged() {
    return List.copyOf(acknowledged);
  }

  /** Stops every thread and waits for them. */
  @Override
  public void close() throws InterruptedException {
    stopping = true;
    for (Thread t : threads) {
      t.join(60_000);
    }
    threads.clear();
    stopping = false;
  }
}
