package org.hsmkms.hsm.pkcs11;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_GENERIC_SECRET_KEY_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA256_HMAC;

import java.util.stream.LongStream;
import org.hsmkms.hsm.HsmException;
import org.junit.jupiter.api.Test;

/** What the start-up check makes of a token's mechanism list. */
class MechanismCheckTest {
  private static final String MODULE = "/opt/vendor/libpkcs11.so";

  private static long[] allBut(long... left) {
    return LongStream.concat(
            MechanismCheck.REQUIRED.keySet().stream().mapToLong(Long::longValue),
            MechanismCheck.OPTIONAL.keySet().stream().mapToLong(Long::longValue))
        .filter(m -> LongStream.of(left).noneMatch(l -> l == m))
        .toArray();
  }

  @Test
  void aTokenWithEveryMechanism_passes() {
    assertDoesNotThrow(() -> MechanismCheck.check(allBut(), MODULE));
  }

  @Test
  void aTokenWithoutTheOptionalOnes_passes() {
    long[] required =
        MechanismCheck.REQUIRED.keySet().stream().mapToLong(Long::longValue).toArray();
    assertDoesNotThrow(() -> MechanismCheck.check(required, MODULE));
  }

  @Test
  void aTokenWithoutARequiredMechanism_stopsStartUp_namingEveryMissingOneAndTheModule() {
    HsmException e =
        assertThrows(
            HsmException.class,
            () ->
                MechanismCheck.check(allBut(CKM_SHA256_HMAC, CKM_GENERIC_SECRET_KEY_GEN), MODULE));

    assertEquals(HsmException.Kind.UNAVAILABLE, e.kind());
    assertTrue(e.getMessage().contains("CKM_SHA256_HMAC"), e.getMessage());
    assertTrue(e.getMessage().contains("CKM_GENERIC_SECRET_KEY_GEN"), e.getMessage());
    assertTrue(e.getMessage().contains(MODULE), e.getMessage());
    assertTrue(e.getMessage().contains("hsm-config/vendors/README.md"), e.getMessage());
  }

  @Test
  void aTokenThatListsNothing_isLeftToTheProbesAndToUse() {
    assertDoesNotThrow(() -> MechanismCheck.check(new long[0], MODULE));
  }

  @Test
  void requiredAndOptional_doNotOverlap() {
    assertFalse(
        MechanismCheck.REQUIRED.keySet().stream()
            .anyMatch(MechanismCheck.OPTIONAL.keySet()::contains));
  }
}
