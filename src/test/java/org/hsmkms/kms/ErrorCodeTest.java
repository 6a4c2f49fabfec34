package org.hsmkms.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The one place an error maps to its wire {@code __type} and HTTP status, and the errors the
 * service makes of failures: AWS's wording for validation, a bare InvalidCiphertextException, and
 * nothing of an internal failure's message for the client.
 */
class ErrorCodeTest {

  @ParameterizedTest
  @EnumSource(
      value = ErrorCode.class,
      names = {"INTERNAL", "DEPENDENCY_TIMEOUT", "KEY_UNAVAILABLE"})
  void serviceSideError_isHttp500(ErrorCode code) {
    assertEquals(500, code.httpStatus());
  }

  @Test
  void dryRunOperation_isHttp400_asAwsAnswersASuccessfulDryRun() {
    assertEquals(400, ErrorCode.DRY_RUN_OPERATION.httpStatus());
    assertEquals("DryRunOperationException", ErrorCode.DRY_RUN_OPERATION.awsType());
  }

  @Test
  void requestEntityTooLarge_isHttp413() {
    assertEquals(413, ErrorCode.REQUEST_ENTITY_TOO_LARGE.httpStatus());
  }

  @ParameterizedTest
  @EnumSource(
      value = ErrorCode.class,
      names = {
        "INTERNAL",
        "DEPENDENCY_TIMEOUT",
        "KEY_UNAVAILABLE",
        "DRY_RUN_OPERATION",
        "REQUEST_ENTITY_TOO_LARGE"
      },
      mode = EnumSource.Mode.EXCLUDE)
  void clientError_isHttp400(ErrorCode code) {
    assertEquals(400, code.httpStatus());
  }

  @Test
  void everyErrorHasItsOwnAwsExceptionType() {
    assertEquals(
        ErrorCode.values().length,
        Arrays.stream(ErrorCode.values()).map(ErrorCode::awsType).distinct().count());
    for (ErrorCode code : ErrorCode.values()) {
      assertTrue(code.awsType().endsWith("Exception"), code.awsType());
    }
  }

  @Test
  void invalidStateAndInternal_haveAwsKmsPrefixedNames() {
    assertEquals("KMSInvalidStateException", ErrorCode.INVALID_STATE.awsType());
    assertEquals("KMSInternalException", ErrorCode.INTERNAL.awsType());
  }

  // --- KmsException -------------------------------------------------------------------------

  @Test
  void validation_isOneValidationErrorInAwsWording() {
    KmsException e =
        KmsException.validation(
            "'3'", "pendingWindowInDays", "Member must have value greater than or equal to 7");

    assertEquals(ErrorCode.VALIDATION, e.code());
    assertEquals(
        "1 validation error detected: Value '3' at 'pendingWindowInDays' failed to satisfy"
            + " constraint: Member must have value greater than or equal to 7",
        e.getMessage());
  }

  @Test
  void invalidCiphertext_saysNothingOfWhy() {
    KmsException e = KmsException.invalidCiphertext();

    assertEquals(ErrorCode.INVALID_CIPHERTEXT, e.code());
    assertNull(e.getMessage());
    assertNull(e.getCause());
    assertNotSame(e, KmsException.invalidCiphertext());
  }

  @Test
  void from_aKmsException_isThatException() {
    KmsException e = new KmsException(ErrorCode.DISABLED, "arn is disabled.");

    assertSame(e, KmsException.from(e));
  }

  @Test
  void from_anyOtherFailure_isKmsInternalException_withoutItsMessage() {
    IllegalStateException failure = new IllegalStateException("database /var/lib/x is locked");

    KmsException e = KmsException.from(failure);

    assertEquals(ErrorCode.INTERNAL, e.code());
    assertEquals("An internal error occurred.", e.getMessage());
    assertSame(failure, e.getCause());
  }
}
