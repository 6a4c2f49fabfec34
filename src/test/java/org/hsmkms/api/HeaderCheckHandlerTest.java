package org.hsmkms.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The content type the KMS endpoint accepts: AWS JSON 1.1's, and nothing else. */
class HeaderCheckHandlerTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "application/x-amz-json-1.1",
        "application/x-amz-json-1.1; charset=utf-8",
        "application/x-amz-json-1.1;charset=UTF-8",
        " APPLICATION/X-AMZ-JSON-1.1 ",
      })
  void awsJson11_withParametersOrInAnyCase_isAccepted(String contentType) {
    assertTrue(HeaderCheckHandler.isAwsJson11(contentType));
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(
      strings = {
        "",
        "application/json",
        "application/x-amz-json-1.0",
        "application/x-www-form-urlencoded",
        "text/plain",
        "application/x-amz-json-1.10",
        "application/x-amz-json-1.1x; charset=utf-8",
      })
  void anyOtherContentType_orNone_isRefused(String contentType) {
    assertFalse(HeaderCheckHandler.isAwsJson11(contentType));
  }
}
