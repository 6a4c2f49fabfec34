package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.hsmkms.testing.TestServer;
import org.hsmkms.testing.TestToken;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The session pool recovers from a real fault: every session of the process closed behind its back,
 * which also logs the token out (as a token reset or an HSM fail-over does).
 */
class SessionRecoveryIT {
  private final TestServer server = TestServer.shared();
  private final KmsClient kms = server.client();

  @Test
  void allSessionsClosedBehindThePool_requestsStillSucceed() throws Exception {
    String keyId = kms.createKey(b -> {}).keyMetadata().keyId();
    SdkBytes plaintext = SdkBytes.fromUtf8String("survives a session loss");
    SdkBytes blob = kms.encrypt(b -> b.keyId(keyId).plaintext(plaintext)).ciphertextBlob();

    TestToken.closeAllSessions();

    SdkBytes again = kms.decrypt(b -> b.ciphertextBlob(blob)).plaintext();
    assertArrayEquals(plaintext.asByteArray(), again.asByteArray());
    SdkBytes blob2 = kms.encrypt(b -> b.keyId(keyId).plaintext(plaintext)).ciphertextBlob();
    assertArrayEquals(
        plaintext.asByteArray(),
        kms.decrypt(b -> b.ciphertextBlob(blob2)).plaintext().asByteArray());
    assertEquals(16, kms.generateRandom(b -> b.numberOfBytes(16)).plaintext().asByteArray().length);
  }
}
