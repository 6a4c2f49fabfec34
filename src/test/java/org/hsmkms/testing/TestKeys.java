package org.hsmkms.testing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * CMKs of the shared test server made once per spec and usage and reused by every test that only
 * reads or uses them (RSA-4096 generation takes seconds on SoftHSM2). Tests that change a key's
 * state create their own.
 */
public final class TestKeys {
  private static final Map<String, String> KEYS = new ConcurrentHashMap<>();

  private TestKeys() {}

  /** The key id of a shared, enabled key of this spec and usage. */
  public static String of(String keySpec, String keyUsage) {
    return KEYS.computeIfAbsent(
        keySpec + "/" + keyUsage,
        k -> {
          KmsClient kms = TestServer.shared().client();
          return kms.createKey(
                  b -> b.keySpec(keySpec).keyUsage(keyUsage).description("shared test key " + k))
              .keyMetadata()
              .keyId();
        });
  }
}
