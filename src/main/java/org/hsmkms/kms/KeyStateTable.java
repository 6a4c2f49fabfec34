package org.hsmkms.kms;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.hsmkms.store.KeyRecord;

/**
 * AWS's "Key states of AWS KMS keys" table (developer guide, key-state.html, "Key state table"):
 * for every operation that takes a key and every key state, whether the key's state lets the
 * operation go on, or which error it answers. The one place that decides by a key's state; {@link
 * Keys#checkState} asks it for every key a request resolves.
 *
 * <p>The cells follow AWS's footnotes: [1] {@code DisabledException: <key ARN> is disabled.}; [3]
 * {@code KMSInvalidStateException: <key ARN> is pending deletion (or pending replica deletion).};
 * [4] {@code ... is not pending deletion (or pending replica deletion).}; [5] {@code ... is pending
 * import.}; [6] {@code UnsupportedOperationException: <key ARN> origin is EXTERNAL which is not
 * valid for this operation.}; [11] {@code KMSInvalidStateException: <key ARN> is unavailable.};
 * [15] {@code ... is updating.}. For a cryptographic operation on a key pending deletion AWS lists
 * "[2] DisabledException or [3] KMSInvalidStateException"; AWS's recorded answers (e.g. to Sign)
 * are [3], which this table gives. The "?" cells that depend on the key's origin or spec ([7], [9])
 * are allowed here and refused by the operation's own rule (RotationRules, ImportRules).
 *
 * <p>Differences from AWS are marked in the table with {@link Outcome#differs} and listed in
 * docs/key-states.md: Creating and Deleting are internal states here (a key in them is not found),
 * and Unavailable means that the key's HSM object is missing, not a disconnected custom key store.
 *
 * <p>Security: a key that is not Enabled never reaches the HSM for a cryptographic operation.
 */
public final class KeyStateTable {

  /**
   * One cell: {@code error} null when the state lets the operation go on; otherwise the error and
   * the text that follows the key's ARN in its message. {@code differs} says why the cell is not
   * AWS's, or is null where it is.
   */
  public record Outcome(ErrorCode error, String afterArn, String differs) {
    public boolean allowed() {
      return error == null;
    }

    /** Whether a key in this state is not found at all (internal states). */
    public boolean invisible() {
      return error == ErrorCode.NOT_FOUND;
    }

    /** The error's message for the key {@code arn}. */
    public String message(String arn) {
      return invisible() ? "Key '" + arn + "' does not exist" : arn + afterArn;
    }

    /** The same outcome, marked as differing from AWS's cell for {@code reason}. */
    Outcome differing(String reason) {
      return new Outcome(error, afterArn, reason);
    }

    @Override
    public String toString() {
      return allowed() ? "allowed" : error.awsType() + ": <ARN>" + afterArn;
    }
  }

  static final Outcome OK = new Outcome(null, null, null);
  static final Outcome IS_DISABLED = refused(ErrorCode.DISABLED, " is disabled.");
  static final Outcome IS_PENDING_DELETION =
      refused(ErrorCode.INVALID_STATE, " is pending deletion.");
  static final Outcome IS_PENDING_REPLICA_DELETION =
      refused(ErrorCode.INVALID_STATE, " is pending replica deletion.");
  static final Outcome IS_NOT_PENDING_DELETION =
      refused(ErrorCode.INVALID_STATE, " is not pending deletion.");
  static final Outcome IS_PENDING_IMPORT = refused(ErrorCode.INVALID_STATE, " is pending import.");
  static final Outcome IS_UNAVAILABLE = refused(ErrorCode.INVALID_STATE, " is unavailable.");
  static final Outcome IS_UPDATING = refused(ErrorCode.INVALID_STATE, " is updating.");
  static final Outcome ORIGIN_EXTERNAL =
      refused(
          ErrorCode.UNSUPPORTED_OPERATION,
          " origin is EXTERNAL which is not valid for this operation.");
  // Creating and Deleting keep CreateKey and deletion crash-safe: such a key is not found. AWS's
  // Creating is a replica's transient state ("[14] ... is creating."); ReplicateKey here answers
  // with the replica already Enabled, so no client can see it.
  static final Outcome INTERNAL_STATE =
      new Outcome(
          ErrorCode.NOT_FOUND,
          null,
          "internal state: the key is not found (AWS's Creating is a replica's transient state,"
              + " which ReplicateKey here never shows)");
  // Our Unavailable is a key whose HSM object is missing; AWS's, a key of a disconnected custom
  // key store.
  private static final String OUR_UNAVAILABLE =
      "Unavailable here means the key's HSM object is missing; AWS's means a disconnected custom"
          + " key store, ";

  private static final Map<String, Map<KeyState, Outcome>> TABLE = build();

  private KeyStateTable() {}

  /** The operations the table has a row for. */
  public static Set<String> operations() {
    return TABLE.keySet();
  }

  /** The cell of {@code operation} and {@code state}. */
  public static Outcome outcome(String operation, KeyState state) {
    Map<KeyState, Outcome> row = TABLE.get(operation);
    if (row == null) {
      throw new IllegalArgumentException("no key state row for " + operation);
    }
    return row.get(state);
  }

  /**
   * Refuses {@code operation} on {@code key} when its state does not allow it.
   *
   * @throws KmsException the error of the table's cell
   */
  public static void check(String operation, KeyRecord key) {
    Outcome outcome = outcome(operation, KeyState.fromAwsName(key.keyState()));
    if (!outcome.allowed()) {
      throw new KmsException(outcome.error(), outcome.message(key.arn()));
    }
  }

  private static Outcome refused(ErrorCode error, String afterArn) {
    return new Outcome(error, afterArn, null);
  }

  /** One row, in the column order of {@link #row}'s arguments. */
  private static Map<KeyState, Outcome> row(
      Outcome enabled,
      Outcome disabled,
      Outcome pendingDeletion,
      Outcome pendingReplicaDeletion,
      Outcome pendingImport,
      Outcome unavailable,
      Outcome updating) {
    Map<KeyState, Outcome> row = new EnumMap<>(KeyState.class);
    row.put(KeyState.ENABLED, enabled);
    row.put(KeyState.DISABLED, disabled);
    row.put(KeyState.PENDING_DELETION, pendingDeletion);
    row.put(KeyState.PENDING_REPLICA_DELETION, pendingReplicaDeletion);
    row.put(KeyState.PENDING_IMPORT, pendingImport);
    row.put(KeyState.UNAVAILABLE, unavailable);
    row.put(KeyState.UPDATING, updating);
    row.put(KeyState.CREATING, INTERNAL_STATE);
    row.put(KeyState.DELETING, INTERNAL_STATE);
    return Collections.unmodifiableMap(row);
  }

  /** Every state allows it (DescribeKey, GetKeyPolicy, the grant listings, ...). */
  private static Map<KeyState, Outcome> always() {
    return row(OK, OK, OK, OK, OK, OK, OK);
  }

  /**
   * Cryptographic operations: [1] disabled, [3] pending deletion, [5] pending import, [11]
   * unavailable; allowed while Updating.
   */
  private static Map<KeyState, Outcome> cryptographic() {
    return row(
        OK,
        IS_DISABLED,
        IS_PENDING_DELETION,
        IS_PENDING_REPLICA_DELETION,
        IS_PENDING_IMPORT,
        IS_UNAVAILABLE,
        OK);
  }

  /** Changes to a key's metadata: refused only while it is pending deletion [3]. */
  private static Map<KeyState, Outcome> notPendingDeletion() {
    return row(OK, OK, IS_PENDING_DELETION, IS_PENDING_REPLICA_DELETION, OK, OK, OK);
  }

  /**
   * EnableKeyRotation, DisableKeyRotation: [1], [3], [6]; "?" [7] while Enabled and Updating
   * (decided by RotationRules).
   */
  private static Map<KeyState, Outcome> rotationChange() {
    return row(
        OK,
        IS_DISABLED,
        IS_PENDING_DELETION,
        IS_PENDING_REPLICA_DELETION,
        ORIGIN_EXTERNAL,
        IS_UNAVAILABLE.differing(
            OUR_UNAVAILABLE + "which cannot rotate ([7] UnsupportedOperationException)"),
        OK);
  }

  /** EnableKey and DisableKey: [3], [5], [15]; AWS's [12] for Unavailable differs. */
  private static Map<KeyState, Outcome> enableOrDisable() {
    return row(
        OK,
        OK,
        IS_PENDING_DELETION,
        IS_PENDING_REPLICA_DELETION,
        IS_PENDING_IMPORT,
        IS_UNAVAILABLE.differing(
            OUR_UNAVAILABLE
                + "for which AWS answers success and changes the state when the key is available"
                + " again ([12])"),
        IS_UPDATING);
  }

  private static Map<String, Map<KeyState, Outcome>> build() {
    Map<String, Map<KeyState, Outcome>> t = new TreeMap<>();
    for (String op :
        new String[] {
          "Decrypt",
          "Encrypt",
          "GenerateDataKey",
          "GenerateDataKeyPair",
          "GenerateDataKeyPairWithoutPlaintext",
          "GenerateDataKeyWithoutPlaintext",
          "ReEncrypt",
          "Sign",
          "Verify",
          "GenerateMac",
          "VerifyMac",
          "GetPublicKey",
          // Not in AWS's table as found (it predates the operation): as Sign.
          "DeriveSharedSecret"
        }) {
      t.put(op, cryptographic());
    }
    for (String op :
        new String[] {
          "DeleteAlias",
          "DescribeKey",
          "GetKeyPolicy",
          "ListGrants",
          "ListKeyPolicies",
          "ListResourceTags",
          "PutKeyPolicy",
          "RetireGrant",
          "RevokeGrant",
          // Not in AWS's table as found: "answers in every key state" (its API reference).
          "GetKeyLastUsage"
        }) {
      t.put(op, always());
    }
    // CreateAlias, UpdateAlias: the key the alias is made to point to ([10]: UpdateAlias from a
    // key pending deletion succeeds, to one fails).
    for (String op :
        new String[] {
          "CreateAlias", "UpdateAlias", "TagResource", "UntagResource", "UpdateKeyDescription"
        }) {
      t.put(op, notPendingDeletion());
    }
    t.put(
        "CreateGrant",
        row(
            OK,
            IS_DISABLED,
            IS_PENDING_DELETION,
            IS_PENDING_REPLICA_DELETION,
            IS_PENDING_IMPORT,
            OK,
            OK));
    t.put("EnableKey", enableOrDisable());
    t.put("DisableKey", enableOrDisable());
    t.put("EnableKeyRotation", rotationChange());
    t.put("DisableKeyRotation", rotationChange());
    // Not in AWS's table as found: as EnableKeyRotation (issue 17 records AWS's DisabledException),
    // but refused while Updating as the other operations that change a multi-Region key's
    // material are ([15]): the material is shared by every region of the key.
    Map<KeyState, Outcome> onDemand = new EnumMap<>(rotationChange());
    onDemand.put(KeyState.UPDATING, IS_UPDATING);
    t.put("RotateKeyOnDemand", Collections.unmodifiableMap(onDemand));
    // GetKeyRotationStatus: "?" [7] everywhere but PendingImport [6].
    t.put(
        "GetKeyRotationStatus",
        row(
            OK,
            OK,
            OK,
            OK,
            ORIGIN_EXTERNAL,
            OK.differing(
                OUR_UNAVAILABLE
                    + "whose keys cannot rotate ([7] UnsupportedOperationException); ours can"),
            OK));
    // Not in AWS's table as found: as GetKeyRotationStatus.
    t.put("ListKeyRotations", t.get("GetKeyRotationStatus"));
    t.put(
        "CancelKeyDeletion",
        row(
            IS_NOT_PENDING_DELETION,
            IS_NOT_PENDING_DELETION,
            OK,
            OK,
            IS_NOT_PENDING_DELETION,
            IS_NOT_PENDING_DELETION,
            IS_NOT_PENDING_DELETION));
    t.put(
        "ScheduleKeyDeletion",
        row(OK, OK, IS_PENDING_DELETION, IS_PENDING_REPLICA_DELETION, OK, OK, IS_UPDATING));
    // Imported key material: "?" [9] (the key must be of origin EXTERNAL, ImportRules) while
    // Enabled or Disabled; [8] pending deletion; Unavailable is N/A in AWS's table ([9]: a key
    // of a custom key store) and refused here.
    Outcome unavailableImport =
        IS_UNAVAILABLE.differing(
            OUR_UNAVAILABLE + "which cannot have imported material ([9] UnsupportedOperation)");
    t.put(
        "GetParametersForImport",
        row(
            OK,
            OK,
            IS_PENDING_DELETION,
            IS_PENDING_REPLICA_DELETION,
            OK,
            unavailableImport,
            IS_UPDATING));
    t.put(
        "ImportKeyMaterial",
        row(OK, OK, IS_PENDING_DELETION, IS_PENDING_REPLICA_DELETION, OK, unavailableImport, OK));
    t.put(
        "DeleteImportedKeyMaterial",
        row(
            OK,
            OK,
            IS_PENDING_DELETION.differing(
                "AWS deletes the material of a key pending deletion ([9]); here the key must"
                    + " first leave PendingDeletion"),
            IS_PENDING_REPLICA_DELETION.differing(
                "as PendingDeletion (AWS: allowed, [9]); multi-Region keys have no imported"
                    + " material here"),
            OK,
            OK,
            IS_UPDATING));
    // ReplicateKey on the primary: [1], [2]/[3], [5], [15]; Unavailable is N/A in AWS's table.
    t.put(
        "ReplicateKey",
        row(
            OK,
            IS_DISABLED,
            IS_PENDING_DELETION,
            IS_PENDING_REPLICA_DELETION,
            IS_PENDING_IMPORT,
            IS_UNAVAILABLE.differing(
                "N/A in AWS's table: AWS's Unavailable keys cannot be" + " multi-Region keys"),
            IS_UPDATING));
    // UpdatePrimaryRegion, for the primary and for the replica that becomes the primary.
    t.put(
        "UpdatePrimaryRegion",
        row(
            OK,
            IS_DISABLED,
            IS_PENDING_DELETION,
            IS_PENDING_REPLICA_DELETION,
            IS_PENDING_IMPORT,
            IS_UNAVAILABLE.differing(
                "N/A in AWS's table: AWS's Unavailable keys cannot be" + " multi-Region keys"),
            OK));
    return Collections.unmodifiableMap(t);
  }
}
