package org.hsmkms.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The operations the bench measures and the request each sends. Every request of an operation is
 * the same bytes (only its signature changes), so building them costs nothing during the run.
 */
final class Operations {
  static final String GENERATE_DATA_KEY = "GenerateDataKey";
  static final String GENERATE_DATA_KEY_WITHOUT_PLAINTEXT = "GenerateDataKeyWithoutPlaintext";
  static final String ENCRYPT = "Encrypt";
  static final String DECRYPT = "Decrypt";
  static final String GENERATE_RANDOM = "GenerateRandom";
  static final String GENERATE_DATA_KEY_PAIR = "GenerateDataKeyPair";

  /** Encrypt's plaintext: 1 KiB. */
  static final int ENCRYPT_BYTES = 1024;

  /** GenerateRandom's NumberOfBytes. */
  static final int RANDOM_BYTES = 32;

  /** The AWS KeyPairSpec values but SM2 (China Regions only), fast ones first. */
  static final List<String> KEY_PAIR_SPECS =
      List.of(
          "ECC_NIST_P256",
          "ECC_NIST_P384",
          "ECC_NIST_P521",
          "ECC_SECG_P256K1",
          "RSA_2048",
          "RSA_3072",
          "RSA_4096");

  private static final List<String> SYMMETRIC =
      List.of(
          GENERATE_DATA_KEY,
          GENERATE_DATA_KEY_WITHOUT_PLAINTEXT,
          ENCRYPT,
          DECRYPT,
          GENERATE_RANDOM);

  /** Every operation, key pairs last (their pools keep the HSM busy after they end). */
  static final List<String> DEFAULT = names();

  private static final ObjectMapper JSON = new ObjectMapper();

  private Operations() {}

  static List<String> names() {
    List<String> all = new ArrayList<>(SYMMETRIC);
    KEY_PAIR_SPECS.forEach(spec -> all.add(GENERATE_DATA_KEY_PAIR + ":" + spec));
    return all;
  }

  /**
   * Checks names and expands {@code GenerateDataKeyPair} to one operation per spec; a single spec
   * is {@code GenerateDataKeyPair:RSA_2048}.
   */
  static List<String> expand(List<String> requested) {
    LinkedHashSet<String> out = new LinkedHashSet<>();
    for (String raw : requested) {
      String name = raw.strip();
      if (name.isEmpty()) {
        continue;
      }
      if (name.equals(GENERATE_DATA_KEY_PAIR)) {
        KEY_PAIR_SPECS.forEach(spec -> out.add(GENERATE_DATA_KEY_PAIR + ":" + spec));
      } else if (SYMMETRIC.contains(name) || name.startsWith(GENERATE_DATA_KEY_PAIR + ":")) {
        out.add(name);
      } else {
        throw new IllegalArgumentException(
            "unknown operation " + name + " (known: " + String.join(",", names()) + ")");
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("--ops names no operation");
    }
    return List.copyOf(out);
  }

  /**
   * What a setup made for the requests: the CMKs, for each a ciphertext to decrypt, a plaintext to
   * encrypt, and the encryption context every request that takes one carries (empty for none).
   */
  record Material(
      List<String> keyIds,
      List<String> ciphertextBlobs,
      byte[] plaintext,
      Map<String, String> encryptionContext) {
    Material {
      keyIds = List.copyOf(keyIds);
      ciphertextBlobs = List.copyOf(ciphertextBlobs);
      encryptionContext = Map.copyOf(encryptionContext);
      if (keyIds.isEmpty() || keyIds.size() != ciphertextBlobs.size()) {
        throw new IllegalArgumentException("one ciphertext per key");
      }
    }

    Material(String keyId, String ciphertextBlob, byte[] plaintext, Map<String, String> context) {
      this(List.of(keyId), List.of(ciphertextBlob), plaintext, context);
    }

    /** The only (or the first) key and its ciphertext. */
    Material key(int i) {
      return new Material(keyIds.get(i), ciphertextBlobs.get(i), plaintext, encryptionContext);
    }
  }

  /** The requests of operation {@code name}: one per key of {@code m}, taken in turn. */
  static Workload workload(String name, Material m) {
    byte[][] bodies = new byte[m.keyIds().size()][];
    String action = name;
    for (int i = 0; i < bodies.length; i++) {
      Request r = request(name, m.key(i));
      action = r.action;
      bodies[i] = r.body;
    }
    return new Workload(name, action, bodies);
  }

  private record Request(String action, byte[] body) {}

  private static Request request(String name, Material m) {
    Map<String, Object> body = new LinkedHashMap<>();
    String keyId = m.keyIds().get(0);
    String ciphertextBlob = m.ciphertextBlobs().get(0);
    String action = name;
    switch (name) {
      case GENERATE_DATA_KEY, GENERATE_DATA_KEY_WITHOUT_PLAINTEXT -> {
        body.put("KeyId", keyId);
        body.put("KeySpec", "AES_256");
      }
      case ENCRYPT -> {
        body.put("KeyId", keyId);
        body.put("Plaintext", Base64.getEncoder().encodeToString(m.plaintext()));
      }
      case DECRYPT -> {
        body.put("KeyId", keyId);
        body.put("CiphertextBlob", ciphertextBlob);
      }
      case GENERATE_RANDOM -> body.put("NumberOfBytes", RANDOM_BYTES);
      default -> {
        action = GENERATE_DATA_KEY_PAIR;
        body.put("KeyId", keyId);
        body.put("KeyPairSpec", name.substring(GENERATE_DATA_KEY_PAIR.length() + 1));
      }
    }
    // Every operation but GenerateRandom names a key and takes an encryption context.
    if (!name.equals(GENERATE_RANDOM) && !m.encryptionContext().isEmpty()) {
      body.put("EncryptionContext", m.encryptionContext());
    }
    return new Request(action, json(body));
  }

  static byte[] json(Map<String, Object> body) {
    try {
      return JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * One operation's request.
   *
   * @param name as reported, e.g. {@code GenerateDataKeyPair:RSA_2048}
   * @param action the KMS action ({@code X-Amz-Target: TrentService.<action>})
   */
  record Workload(String name, String action, byte[][] bodies) {
    /** The first request (the one tried before the run). */
    byte[] body() {
      return bodies[0];
    }

    /** The request to send as the {@code n}th of a run. */
    byte[] body(long n) {
      return bodies[(int) (n % bodies.length)];
    }
  }
}
