package org.hsmkms.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link AuthzRequest#encryptionContext()}: the context read back from the condition keys. */
class AuthzRequestTest {
  private static AuthzRequest request(Map<String, List<String>> conditionKeys) {
    return new AuthzRequest(
        "arn:aws:iam::111122223333:user/alice",
        "111122223333",
        "kms:Decrypt",
        "arn:aws:kms:us-east-1:111122223333:key/k",
        conditionKeys);
  }

  @Test
  void encryptionContext_isEachContextKeyWithItsCaseKeptAndItsValue() {
    AuthzRequest r =
        request(
            Map.of(
                "kms:EncryptionContext:Department", List.of("IT"),
                "KMS:ENCRYPTIONCONTEXT:project", List.of("Alpha"),
                "kms:EncryptionContextKeys", List.of("Department", "project"),
                "aws:PrincipalArn", List.of("arn:aws:iam::111122223333:user/alice")));

    assertEquals(Map.of("Department", "IT", "project", "Alpha"), r.encryptionContext());
  }

  @Test
  void encryptionContext_ofARequestWithoutOne_isEmpty() {
    assertEquals(Map.of(), request(Map.of("kms:CallerAccount", List.of("1"))).encryptionContext());
    assertEquals(
        Map.of(),
        AuthzRequest.of("arn:aws:iam::1:root", "1", "kms:Decrypt", "*").encryptionContext());
  }

  @Test
  void encryptionContext_keepsAnEmptyValue() {
    AuthzRequest r = request(Map.of("kms:EncryptionContext:empty", List.of("")));

    assertEquals(Map.of("empty", ""), r.encryptionContext());
  }
}
