package org.hsmkms.authz;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What AWS KMS authorizes for each operation of its API: the IAM actions it checks and on which
 * resource, whether a principal of another account may be allowed it, and the condition keys a
 * policy may test for it.
 *
 * <p>Security: whoever enforces the table must refuse an operation that has no entry; the tests
 * keep every operation of the model and every operation with a handler in it, so none is left
 * unchecked.
 */
public final class KmsActions {

  /** The resource an action is checked against. */
  public enum Resource {
    /** {@code "*"}: the account. Only an identity (IAM) policy can allow it. */
    ACCOUNT,
    /** The KMS key the request names ({@code KeyId}; Decrypt without one: the ciphertext's key). */
    KEY,
    /** ReEncrypt's source key ({@code SourceKeyId}, or the key of the ciphertext). */
    SOURCE_KEY,
    /** ReEncrypt's {@code DestinationKeyId}. */
    DESTINATION_KEY,
    /** The alias itself ({@code AliasName}): only an identity policy can allow it. */
    ALIAS,
    /** The key the alias points to before the request (DeleteAlias, UpdateAlias). */
    ALIAS_KEY,
    /** The key the alias is made to point to ({@code TargetKeyId} of CreateAlias, UpdateAlias). */
    TARGET_KEY,
    /** UpdatePrimaryRegion: the replica key in {@code PrimaryRegion} that becomes the primary. */
    REPLICA_KEY;

    /** Whether this resource is a KMS key, whose key policy decides. */
    public boolean isKey() {
      return this != ACCOUNT && this != ALIAS;
    }
  }

  /** One IAM action checked against one resource. */
  public record Permission(String action, Resource resource) {}

  /**
   * The authorization of one operation.
   *
   * @param operation the AWS operation name
   * @param permissions every (action, resource) pair the caller must be allowed, in order
   * @param crossAccount whether a principal of another account may be allowed it on a key
   * @param conditionKeys the condition keys AWS documents for it; a name ending in {@code :} or
   *     {@code /} is a prefix ({@code kms:EncryptionContext:}, {@code aws:ResourceTag/}), and
   *     {@code kms:RecipientAttestation:PCR} stands for {@code ...:PCR<n>}
   */
  public record Entry(
      String operation,
      List<Permission> permissions,
      boolean crossAccount,
      Set<String> conditionKeys) {
    public Entry {
      permissions = List.copyOf(permissions);
      conditionKeys = Set.copyOf(conditionKeys);
    }

    /** Key-level: at least one action is checked against a KMS key (and its key policy). */
    public boolean keyLevel() {
      return permissions.stream().anyMatch(p -> p.resource().isKey());
    }

    /** The IAM actions, e.g. {@code kms:ReEncryptFrom} and {@code kms:ReEncryptTo}. */
    public List<String> actions() {
      return permissions.stream().map(Permission::action).distinct().toList();
    }
  }

  // Condition keys: https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
  static final String CALLER_ACCOUNT = "kms:CallerAccount";
  static final String VIA_SERVICE = "kms:ViaService";
  static final String KEY_SPEC = "kms:KeySpec";
  static final String KEY_USAGE = "kms:KeyUsage";
  static final String KEY_ORIGIN = "kms:KeyOrigin";
  static final String MULTI_REGION = "kms:MultiRegion";
  static final String MULTI_REGION_KEY_TYPE = "kms:MultiRegionKeyType";
  static final String RESOURCE_ALIASES = "kms:ResourceAliases";
  static final String RESOURCE_TAG = "aws:ResourceTag/";
  static final String REQUEST_TAG = "aws:RequestTag/";
  static final String TAG_KEYS = "aws:TagKeys";
  static final String ENCRYPTION_CONTEXT = "kms:EncryptionContext:";
  static final String ENCRYPTION_CONTEXT_KEYS = "kms:EncryptionContextKeys";
  static final String ENCRYPTION_ALGORITHM = "kms:EncryptionAlgorithm";
  static final String SIGNING_ALGORITHM = "kms:SigningAlgorithm";
  static final String MESSAGE_TYPE = "kms:MessageType";
  static final String MAC_ALGORITHM = "kms:MacAlgorithm";
  static final String KEY_AGREEMENT_ALGORITHM = "kms:KeyAgreementAlgorithm";
  static final String DATA_KEY_PAIR_SPEC = "kms:DataKeyPairSpec";
  static final String ATTESTATION_IMAGE = "kms:RecipientAttestation:ImageSha384";
  static final String ATTESTATION_PCR = "kms:RecipientAttestation:PCR";
  static final String GRANT_OPERATIONS = "kms:GrantOperations";
  static final String GRANTEE_PRINCIPAL = "kms:GranteePrincipal";
  static final String RETIRING_PRINCIPAL = "kms:RetiringPrincipal";
  static final String GRANT_CONSTRAINT_TYPE = "kms:GrantConstraintType";
  static final String GRANT_IS_FOR_AWS_RESOURCE = "kms:GrantIsForAWSResource";
  static final String GRANT_CONSTRAINT_SOURCE_ARN = "kms:GrantConstraintSourceArn";
  static final String GRANTEE_SERVICE_PRINCIPAL = "kms:GranteeServicePrincipal";
  static final String RETIRING_SERVICE_PRINCIPAL = "kms:RetiringServicePrincipal";
  static final String REQUEST_ALIAS = "kms:RequestAlias";
  static final String TRAILING_DAYS_WITHOUT_USAGE = "kms:TrailingDaysWithoutKeyUsage";
  static final String BYPASS_LOCKOUT = "kms:BypassPolicyLockoutSafetyCheck";
  static final String ROTATION_PERIOD = "kms:RotationPeriodInDays";
  static final String PENDING_WINDOW = "kms:ScheduleKeyDeletionPendingWindowInDays";
  static final String REENCRYPT_ON_SAME_KEY = "kms:ReEncryptOnSameKey";
  static final String WRAPPING_ALGORITHM = "kms:WrappingAlgorithm";
  static final String WRAPPING_KEY_SPEC = "kms:WrappingKeySpec";
  static final String EXPIRATION_MODEL = "kms:ExpirationModel";
  static final String VALID_TO = "kms:ValidTo";
  static final String REPLICA_REGION = "kms:ReplicaRegion";
  static final String PRIMARY_REGION = "kms:PrimaryRegion";

  /** AWS's "Conditions for KMS key operations": every action on a key may test these. */
  private static final List<String> KEY_CONDITIONS =
      List.of(
          CALLER_ACCOUNT,
          KEY_SPEC,
          KEY_USAGE,
          KEY_ORIGIN,
          MULTI_REGION,
          MULTI_REGION_KEY_TYPE,
          RESOURCE_ALIASES,
          RESOURCE_TAG,
          VIA_SERVICE);

  /**
   * AWS's "Conditions for cryptographic operations" and "Encryption context conditions" of the
   * operations that encrypt or decrypt under a key; kms:RequestAlias is the alias the request names
   * the key by ("Cryptographic operations, DescribeKey, GetPublicKey" in conditions-kms).
   */
  private static final List<String> CONTEXT =
      List.of(ENCRYPTION_CONTEXT, ENCRYPTION_CONTEXT_KEYS, ENCRYPTION_ALGORITHM, REQUEST_ALIAS);

  private static final List<String> ATTESTATION = List.of(ATTESTATION_IMAGE, ATTESTATION_PCR);

  /*
   * The table follows AWS's "AWS KMS permissions" reference
   * (https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html):
   * its "Policy type" and "Resources" columns give the resource (IAM policy and "*": ACCOUNT; key
   * policy and "KMS key": a key), "Cross-account use" the flag, "AWS KMS condition keys" the keys
   * (with the key conditions of every key operation added by onKey). The condition keys are
   * defined in "AWS KMS condition keys" (conditions-kms.html) and, for aws:*, in IAM's global
   * condition keys. Where an operation needs one action on two resources (CreateAlias,
   * UpdateAlias, DeleteAlias, UpdatePrimaryRegion) or two actions (ReEncrypt: kms:ReEncryptFrom
   * on the source key and kms:ReEncryptTo on the destination key; ReplicateKey: kms:ReplicateKey
   * on the primary key and kms:CreateKey in the replica's region), each pair is listed, and the
   * entry's condition keys are those of all its pairs.
   *
   * Checked row by row against that page and, for "Cross-account use" and "Required
   * permissions", against the API reference of each operation (the documentation of the AWS KMS
   * service model, whose model file this project bundles without its documentation);
   * KmsActionsTest holds the facts. Where the pages differ or need a word:
   * - kms:RequestAlias: the permissions page lists it for DescribeKey, GetPublicKey and every
   *   cryptographic operation except DeriveSharedSecret; conditions-kms.html gives it for all
   *   "cryptographic operations", DeriveSharedSecret among them. DeriveSharedSecret has it here.
   * - kms:RecipientAttestation:*: not on the permissions page; conditions-kms.html gives it for
   *   Decrypt, DeriveSharedSecret, GenerateDataKey, GenerateDataKeyPair and GenerateRandom.
   * - RetireGrant: "Policy type: IAM policy (This permission is not effective in a key
   *   policy.)", resource a KMS key, cross-account yes; the grant itself decides who may retire
   *   it (its retiring principal, its grantee when it allows RetireGrant, the key's account).
   *   Its entry keeps the key as resource so that a Deny of kms:RetireGrant can be evaluated;
   *   whoever enforces it must not let a key policy Allow alone permit it. Its condition keys
   *   are the page's short list (no kms:KeySpec, ...).
   * - CreateKey lists aws:ResourceTag/ (always absent: the key does not exist yet).
   * - CreateKey and ReplicateKey with Tags also need kms:TagResource (IAM policy); see
   *   tagPermission.
   */
  private static final Map<String, Entry> TABLE = new TreeMap<>();

  private static final Permission TAG_ON_CREATE =
      new Permission("kms:TagResource", Resource.ACCOUNT);

  static {
    onKey("CancelKeyDeletion", false);
    onAccount("ConnectCustomKeyStore", CALLER_ACCOUNT);
    add(
        "CreateAlias",
        false,
        List.of(on("kms:CreateAlias", Resource.ALIAS), on("kms:CreateAlias", Resource.TARGET_KEY)),
        KEY_CONDITIONS);
    onAccount("CreateCustomKeyStore", CALLER_ACCOUNT);
    onKey(
        "CreateGrant",
        true,
        ENCRYPTION_CONTEXT,
        ENCRYPTION_CONTEXT_KEYS,
        GRANT_CONSTRAINT_SOURCE_ARN,
        GRANT_CONSTRAINT_TYPE,
        GRANTEE_PRINCIPAL,
        GRANTEE_SERVICE_PRINCIPAL,
        GRANT_IS_FOR_AWS_RESOURCE,
        GRANT_OPERATIONS,
        RETIRING_PRINCIPAL,
        RETIRING_SERVICE_PRINCIPAL);
    onAccount(
        "CreateKey",
        BYPASS_LOCKOUT,
        CALLER_ACCOUNT,
        KEY_SPEC,
        KEY_USAGE,
        KEY_ORIGIN,
        MULTI_REGION,
        MULTI_REGION_KEY_TYPE,
        VIA_SERVICE,
        REQUEST_TAG,
        RESOURCE_TAG,
        TAG_KEYS);
    onKey("Decrypt", true, join(CONTEXT, ATTESTATION));
    add(
        "DeleteAlias",
        false,
        List.of(on("kms:DeleteAlias", Resource.ALIAS), on("kms:DeleteAlias", Resource.ALIAS_KEY)),
        KEY_CONDITIONS);
    onAccount("DeleteCustomKeyStore", CALLER_ACCOUNT);
    onKey("DeleteImportedKeyMaterial", false);
    onKey(
        "DeriveSharedSecret",
        true,
        join(List.of(KEY_AGREEMENT_ALGORITHM, REQUEST_ALIAS), ATTESTATION));
    onAccount("DescribeCustomKeyStores", CALLER_ACCOUNT);
    onKey("DescribeKey", true, REQUEST_ALIAS);
    onKey("DisableKey", false, TRAILING_DAYS_WITHOUT_USAGE);
    onKey("DisableKeyRotation", false);
    onAccount("DisconnectCustomKeyStore", CALLER_ACCOUNT);
    onKey("EnableKey", false);
    onKey("EnableKeyRotation", false, ROTATION_PERIOD);
    onKey("Encrypt", true, CONTEXT);
    onKey("GenerateDataKey", true, join(CONTEXT, ATTESTATION));
    onKey("GenerateDataKeyPair", true, join(join(CONTEXT, ATTESTATION), DATA_KEY_PAIR_SPEC));
    onKey("GenerateDataKeyPairWithoutPlaintext", true, join(CONTEXT, DATA_KEY_PAIR_SPEC));
    onKey("GenerateDataKeyWithoutPlaintext", true, CONTEXT);
    onKey("GenerateMac", true, MAC_ALGORITHM, REQUEST_ALIAS);
    onAccount("GenerateRandom", ATTESTATION.toArray(String[]::new));
    onKey("GetKeyLastUsage", false);
    onKey("GetKeyPolicy", false);
    onKey("GetKeyRotationStatus", true);
    onKey("GetParametersForImport", false, WRAPPING_ALGORITHM, WRAPPING_KEY_SPEC);
    onKey("GetPublicKey", true, REQUEST_ALIAS);
    onKey("ImportKeyMaterial", false, EXPIRATION_MODEL, VALID_TO);
    onAccount("ListAliases");
    onKey("ListGrants", true, GRANT_IS_FOR_AWS_RESOURCE);
    onKey("ListKeyPolicies", false);
    onKey("ListKeyRotations", false);
    onAccount("ListKeys");
    onKey("ListResourceTags", false);
    onAccount("ListRetirableGrants");
    onKey("PutKeyPolicy", false, BYPASS_LOCKOUT);
    add(
        "ReEncrypt",
        true,
        List.of(
            on("kms:ReEncryptFrom", Resource.SOURCE_KEY),
            on("kms:ReEncryptTo", Resource.DESTINATION_KEY)),
        join(KEY_CONDITIONS, join(CONTEXT, REENCRYPT_ON_SAME_KEY)));
    add(
        "ReplicateKey",
        false,
        List.of(on("kms:ReplicateKey", Resource.KEY), on("kms:CreateKey", Resource.ACCOUNT)),
        join(KEY_CONDITIONS, join(List.of(REPLICA_REGION, BYPASS_LOCKOUT, REQUEST_TAG), TAG_KEYS)));
    add(
        "RetireGrant",
        true,
        List.of(on("kms:RetireGrant", Resource.KEY)),
        List.of(
            ENCRYPTION_CONTEXT,
            ENCRYPTION_CONTEXT_KEYS,
            GRANT_CONSTRAINT_TYPE,
            CALLER_ACCOUNT,
            RESOURCE_ALIASES,
            RESOURCE_TAG,
            VIA_SERVICE));
    onKey("RevokeGrant", true, GRANT_IS_FOR_AWS_RESOURCE);
    onKey("RotateKeyOnDemand", false);
    onKey("ScheduleKeyDeletion", false, PENDING_WINDOW, TRAILING_DAYS_WITHOUT_USAGE);
    onKey("Sign", true, MESSAGE_TYPE, SIGNING_ALGORITHM, REQUEST_ALIAS);
    onKey("TagResource", false, REQUEST_TAG, TAG_KEYS);
    onKey("UntagResource", false, TAG_KEYS);
    add(
        "UpdateAlias",
        false,
        List.of(
            on("kms:UpdateAlias", Resource.ALIAS),
            on("kms:UpdateAlias", Resource.ALIAS_KEY),
            on("kms:UpdateAlias", Resource.TARGET_KEY)),
        KEY_CONDITIONS);
    onAccount("UpdateCustomKeyStore", CALLER_ACCOUNT);
    onKey("UpdateKeyDescription", false);
    add(
        "UpdatePrimaryRegion",
        false,
        List.of(
            on("kms:UpdatePrimaryRegion", Resource.KEY),
            on("kms:UpdatePrimaryRegion", Resource.REPLICA_KEY)),
        join(KEY_CONDITIONS, PRIMARY_REGION));
    onKey("Verify", true, MESSAGE_TYPE, SIGNING_ALGORITHM, REQUEST_ALIAS);
    onKey("VerifyMac", true, MAC_ALGORITHM, REQUEST_ALIAS);
  }

  private KmsActions() {}

  /** The entry of an operation, or empty when the table has none (refuse the request). */
  public static Optional<Entry> of(String operation) {
    return Optional.ofNullable(TABLE.get(operation));
  }

  /**
   * The permission an operation needs besides its entry's when the request has {@code Tags}: AWS's
   * CreateKey and ReplicateKey, "To use the Tags parameter, kms:TagResource (IAM policy)". Empty
   * for every other operation.
   */
  public static Optional<Permission> tagPermission(String operation) {
    return operation.equals("CreateKey") || operation.equals("ReplicateKey")
        ? Optional.of(TAG_ON_CREATE)
        : Optional.empty();
  }

  /** Every operation the table names. */
  public static Set<String> operations() {
    return Set.copyOf(TABLE.keySet());
  }

  /** One action, {@code kms:<Operation>}, on the key the request names. */
  private static void onKey(String operation, boolean crossAccount, String... conditions) {
    add(
        operation,
        crossAccount,
        List.of(new Permission("kms:" + operation, Resource.KEY)),
        join(KEY_CONDITIONS, conditions));
  }

  private static void onKey(String operation, boolean crossAccount, List<String> conditions) {
    onKey(operation, crossAccount, conditions.toArray(String[]::new));
  }

  /** One action, {@code kms:<Operation>}, on {@code "*"}: never across accounts. */
  private static void onAccount(String operation, String... conditions) {
    add(
        operation,
        false,
        List.of(new Permission("kms:" + operation, Resource.ACCOUNT)),
        List.of(conditions));
  }

  private static void add(
      String operation, boolean crossAccount, List<Permission> permissions, List<String> keys) {
    if (TABLE.put(operation, new Entry(operation, permissions, crossAccount, Set.copyOf(keys)))
        != null) {
      throw new IllegalStateException("two entries for " + operation);
    }
  }

  private static Permission on(String action, Resource resource) {
    return new Permission(action, resource);
  }

  private static List<String> join(List<String> a, String... b) {
    return join(a, Arrays.asList(b));
  }

  private static List<String> join(List<String> a, List<String> b) {
    Set<String> all = new LinkedHashSet<>(a);
    all.addAll(b);
    return List.copyOf(all);
  }
}
