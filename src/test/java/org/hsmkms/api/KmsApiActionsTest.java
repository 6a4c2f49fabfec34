package org.hsmkms.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.TreeSet;
import org.hsmkms.authz.KmsActions;
import org.hsmkms.kms.KeyPairServices;
import org.junit.jupiter.api.Test;

/** No operation that has a handler is left out of the action table, so none goes unchecked. */
class KmsApiActionsTest {
  private static Set<String> handled() {
    return new KmsApi(null, null, null, null, new KeyPairServices(null, null, null), null, null)
        .operationNames();
  }

  @Test
  void everyHandledOperation_hasAnEntryInTheActionTable() {
    Set<String> missing = new TreeSet<>(handled());
    missing.removeIf(op -> KmsActions.of(op).isPresent());

    assertEquals(Set.of(), missing);
  }

  @Test
  void handledOperations_includeThoseOfKmsApiKeyPairApiAndGrantApi() {
    Set<String> handled = handled();

    // One of each class, so that the check above covers all three.
    assertTrue(
        handled.containsAll(
            Set.of("Encrypt", "CreateKey", "Sign", "GenerateDataKeyPair", "CreateGrant")));
  }
}
