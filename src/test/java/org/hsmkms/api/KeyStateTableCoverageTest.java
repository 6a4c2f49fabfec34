package org.hsmkms.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.hsmkms.authz.KmsActions;
import org.hsmkms.kms.KeyPairServices;
import org.hsmkms.kms.KeyState;
import org.hsmkms.kms.KeyStateTable;
import org.hsmkms.kms.KeyStateTable.Outcome;
import org.junit.jupiter.api.Test;

/**
 * The key state table has a row for exactly the operations that have a handler and take a key, and
 * every row a cell for every key state: a new operation cannot be added without its row.
 */
class KeyStateTableCoverageTest {
  private static Set<String> keyTakingHandledOperations() {
    return new KmsApi(null, null, null, null, new KeyPairServices(null, null, null), null, null)
        .operationNames().stream()
            .filter(op -> KmsActions.of(op).map(KmsActions.Entry::keyLevel).orElse(false))
            .collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void everyHandledOperationThatTakesAKey_hasARow_andNoOtherOperationHasOne() {
    assertEquals(keyTakingHandledOperations(), new TreeSet<>(KeyStateTable.operations()));
  }

  @Test
  void keyTakingOperations_includeOneOfEachKind() {
    assertTrue(
        keyTakingHandledOperations()
            .containsAll(
                Set.of(
                    "Encrypt",
                    "DescribeKey",
                    "CancelKeyDeletion",
                    "CreateAlias",
                    "ImportKeyMaterial",
                    "ReplicateKey",
                    "RetireGrant",
                    "GetKeyLastUsage")));
  }

  @Test
  void everyRow_hasACellForEveryKeyState() {
    for (String op : KeyStateTable.operations()) {
      for (KeyState state : KeyState.values()) {
        assertNotNull(KeyStateTable.outcome(op, state), op + " x " + state);
      }
    }
  }

  @Test
  void enabled_isAllowedForEveryOperationButCancelKeyDeletion() {
    Set<String> refused = new TreeSet<>();
    for (String op : KeyStateTable.operations()) {
      if (!KeyStateTable.outcome(op, KeyState.ENABLED).allowed()) {
        refused.add(op);
      }
    }
    assertEquals(Set.of("CancelKeyDeletion"), refused);
  }

  @Test
  void internalStates_areNotFound_inEveryRow() {
    for (String op : KeyStateTable.operations()) {
      for (KeyState state : Set.of(KeyState.CREATING, KeyState.DELETING)) {
        Outcome o = KeyStateTable.outcome(op, state);
        assertTrue(o.invisible(), op + " x " + state);
        assertEquals("Key 'arn:k' does not exist", o.message("arn:k"));
      }
    }
  }

  @Test
  void describeKey_answersInEveryVisibleState_asAwsSays() {
    for (KeyState state : KeyState.values()) {
      if (state.isVisible()) {
        assertTrue(KeyStateTable.outcome("DescribeKey", state).allowed(), state.toString());
      }
    }
  }
}
