package org.hsmkms.kms;

/**
 * A key's lifecycle state. {@link #CREATING} and {@link #DELETING} are internal: they make
 * CreateKey and deletion crash-safe and are never shown to clients (such keys answer
 * NotFoundException).
 */
public enum KeyState {
  CREATING("Creating"),
  ENABLED("Enabled"),
  DISABLED("Disabled"),
  PENDING_DELETION("PendingDeletion"),
  /**
   * A multi-Region primary key scheduled for deletion while it has replicas: its waiting period
   * begins when the last replica is deleted (AWS).
   */
  PENDING_REPLICA_DELETION("PendingReplicaDeletion"),
  /** The key's HSM object is missing: the row is kept, the key cannot be used. */
  UNAVAILABLE("Unavailable"),
  /** Origin EXTERNAL: the key has no key material in the HSM (never imported, deleted, expired). */
  PENDING_IMPORT("PendingImport"),
  /**
   * AWS: multi-Region keys "are in the transient Updating key state while the primary Region is
   * being updated". UpdatePrimaryRegion here changes both keys in one transaction, so no key is
   * ever stored in it; it has its column in {@link KeyStateTable} all the same.
   */
  UPDATING("Updating"),
  DELETING("Deleting");

  private final String awsName;

  KeyState(String awsName) {
    this.awsName = awsName;
  }

  public String awsName() {
    return awsName;
  }

  public static KeyState fromAwsName(String name) {
    for (KeyState s : values()) {
      if (s.awsName.equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown key state " + name);
  }

  public boolean isVisible() {
    return this != CREATING && this != DELETING;
  }
}
