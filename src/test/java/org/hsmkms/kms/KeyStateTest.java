package org.hsmkms.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Key states: AWS's names as stored, and which states clients may see. */
class KeyStateTest {

  @ParameterizedTest
  @CsvSource({
    "CREATING, Creating",
    "ENABLED, Enabled",
    "DISABLED, Disabled",
    "PENDING_DELETION, PendingDeletion",
    "UNAVAILABLE, Unavailable",
    "DELETING, Deleting"
  })
  void state_isStoredUnderItsAwsName_andReadBackFromIt(KeyState state, String awsName) {
    assertEquals(awsName, state.awsName());
    assertEquals(state, KeyState.fromAwsName(awsName));
  }

  @ParameterizedTest
  @ValueSource(strings = {"enabled", "PENDING_DELETION", "Pending", ""})
  void unknownStateName_isRefused(String name) {
    assertThrows(IllegalArgumentException.class, () -> KeyState.fromAwsName(name));
  }

  @ParameterizedTest
  @EnumSource(
      value = KeyState.class,
      names = {"CREATING", "DELETING"})
  void internalState_isInvisible(KeyState state) {
    assertFalse(state.isVisible());
  }

  @ParameterizedTest
  @EnumSource(
      value = KeyState.class,
      names = {"CREATING", "DELETING"},
      mode = EnumSource.Mode.EXCLUDE)
  void awsState_isVisible(KeyState state) {
    assertTrue(state.isVisible());
  }

  @Test
  void everyStateHasItsOwnAwsName() {
    assertEquals(
        KeyState.values().length,
        Arrays.stream(KeyState.values()).map(KeyState::awsName).distinct().count());
  }
}
