package org.hsmkms.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every message the service can produce, as one table: each factory of the Errors classes, called
 * with sample arguments, with the AWS error type, HTTP status and message it must give. A wording
 * change is one visible edit in this table; a new factory without a row fails {@link
 * #everyFactory_hasARow}. NoAdHocErrorsTest keeps every KmsException inside the Errors classes.
 */
class ErrorsTest {
  static final List<Class<?>> ERROR_CLASSES =
      List.of(
          Errors.class,
          ValidationErrors.class,
          GrantErrors.class,
          ManagementErrors.class,
          ImportErrors.class,
          NotSupportedErrors.class,
          ProtocolErrors.class);

  private static final String ARN =
      "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  private static final String MRK_ARN =
      "arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab";
  private static final String ALIAS_ARN = "arn:aws:kms:us-east-1:111122223333:alias/example";
  private static final String KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
  private static final String ROLE = "arn:aws:iam::111122223333:role/example";

  /** One factory: its name, a call with sample arguments, and what the client must see. */
  record Row(String factory, Supplier<KmsException> call, String type, int status, String message) {
    @Override
    public String toString() {
      return factory;
    }
  }

  private static Row row(
      String factory, Supplier<KmsException> call, String type, int status, String message) {
    return new Row(factory, call, type, status, message);
  }

  static List<Row> rows() {
    RuntimeException cause = new IllegalStateException("detail for the log only");
    return List.of(
        // Errors: keys, usage, outcomes.
        row(
            "Errors.keyNotFound",
            () -> Errors.keyNotFound(ARN),
            "NotFoundException",
            400,
            "Key '" + ARN + "' does not exist"),
        row(
            "Errors.aliasNotFound",
            () -> Errors.aliasNotFound(ALIAS_ARN),
            "NotFoundException",
            400,
            "Alias " + ALIAS_ARN + " is not found."),
        row(
            "Errors.invalidArn",
            () -> Errors.invalidArn("eu-west-1"),
            "NotFoundException",
            400,
            "Invalid arn eu-west-1"),
        row(
            "Errors.invalidKeyId",
            () -> Errors.invalidKeyId("not-a-key"),
            "NotFoundException",
            400,
            "Invalid keyId 'not-a-key'"),
        row(
            "Errors.invalidKeyUsage",
            () -> Errors.invalidKeyUsage(ARN, "SIGN_VERIFY", "DeriveSharedSecret"),
            "InvalidKeyUsageException",
            400,
            ARN + " key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret."),
        row(
            "Errors.invalidKeySpec",
            () -> Errors.invalidKeySpec(ARN, "RSA_2048", "GenerateDataKey"),
            "InvalidKeyUsageException",
            400,
            ARN + " key spec is RSA_2048 which is not valid for GenerateDataKey."),
        row(
            "Errors.unsupportedKeySpec",
            () -> Errors.unsupportedKeySpec(ARN, "SYMMETRIC_DEFAULT", "GetPublicKey"),
            "UnsupportedOperationException",
            400,
            ARN + " key spec is SYMMETRIC_DEFAULT which is not valid for GetPublicKey."),
        row(
            "Errors.incompatibleAlgorithm",
            () -> Errors.incompatibleAlgorithm("HMAC_SHA_512", "HMAC_256"),
            "InvalidKeyUsageException",
            400,
            "Algorithm HMAC_SHA_512 is incompatible with key spec HMAC_256."),
        row(
            "Errors.invalidEncryptionAlgorithm",
            () -> Errors.invalidEncryptionAlgorithm("RSAES_OAEP_SHA_1", ARN),
            "InvalidKeyUsageException",
            400,
            "The encryption algorithm RSAES_OAEP_SHA_1 is not valid for " + ARN + "."),
        row(
            "Errors.invalidOrigin",
            () -> Errors.invalidOrigin(ARN, "AWS_KMS"),
            "UnsupportedOperationException",
            400,
            ARN + " origin is AWS_KMS which is not valid for this operation."),
        row(
            "Errors.incorrectKey",
            Errors::incorrectKey,
            "IncorrectKeyException",
            400,
            "The key ID in the request does not identify a CMK that can perform this operation."),
        row(
            "Errors.invalidCiphertext",
            Errors::invalidCiphertext,
            "InvalidCiphertextException",
            400,
            null),
        row(
            "Errors.invalidSignature",
            Errors::invalidSignature,
            "KMSInvalidSignatureException",
            400,
            null),
        row("Errors.invalidMac", Errors::invalidMac, "KMSInvalidMacException", 400, null),
        row(
            "Errors.dryRun",
            Errors::dryRun,
            "DryRunOperationException",
            400,
            "The request would have succeeded, but the DryRun option is set."),
        row(
            "Errors.invalidMarker",
            Errors::invalidMarker,
            "InvalidMarkerException",
            400,
            "Invalid marker"),
        row(
            "Errors.accessDenied",
            () ->
                Errors.accessDenied(
                    ROLE,
                    "kms:Encrypt",
                    ARN,
                    " because no resource-based policy allows the kms:Encrypt action"),
            "AccessDeniedException",
            400,
            "User: "
                + ROLE
                + " is not authorized to perform: kms:Encrypt on resource: "
                + ARN
                + " because no resource-based policy allows the kms:Encrypt action"),
        row(
            "Errors.internal",
            () -> Errors.internal(cause),
            "KMSInternalException",
            500,
            "An internal error occurred."),
        row(
            "Errors.dependencyTimeout",
            () -> Errors.dependencyTimeout(cause),
            "DependencyTimeoutException",
            500,
            "The system timed out while trying to fulfill the request."),
        row(
            "Errors.keyMaterialUnavailable",
            () -> Errors.keyMaterialUnavailable(cause),
            "KeyUnavailableException",
            500,
            "The key material is not available."),
        // ValidationErrors.
        row(
            "ValidationErrors.constraint",
            () ->
                ValidationErrors.constraint(
                    "'1025'", "numberOfBytes", "Member must have value less than or equal to 1024"),
            "ValidationException",
            400,
            "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy"
                + " constraint: Member must have value less than or equal to 1024"),
        row(
            "ValidationErrors.modelConstraints",
            () ->
                ValidationErrors.modelConstraints(
                    List.of(
                        "Value null at 'keyId' failed to satisfy constraint: Member must not be null",
                        "Value at 'plaintext' failed to satisfy constraint: Member must have length"
                            + " greater than or equal to 1")),
            "ValidationException",
            400,
            "2 validation errors detected: Value null at 'keyId' failed to satisfy constraint:"
                + " Member must not be null; Value at 'plaintext' failed to satisfy constraint:"
                + " Member must have length greater than or equal to 1"),
        row(
            "ValidationErrors.numberOfBytesRequired",
            ValidationErrors::numberOfBytesRequired,
            "ValidationException",
            400,
            "NumberOfBytes is required."),
        row(
            "ValidationErrors.keySpecOrNumberOfBytes",
            ValidationErrors::keySpecOrNumberOfBytes,
            "ValidationException",
            400,
            "Please specify either number of bytes or key spec."),
        row(
            "ValidationErrors.keySpecAndCustomerMasterKeySpec",
            ValidationErrors::keySpecAndCustomerMasterKeySpec,
            "ValidationException",
            400,
            "You cannot specify KeySpec and CustomerMasterKeySpec in the same request."),
        row(
            "ValidationErrors.keyUsageRequired",
            ValidationErrors::keyUsageRequired,
            "ValidationException",
            400,
            "You must specify a KeyUsage value for all KMS keys except for symmetric encryption"
                + " keys."),
        row(
            "ValidationErrors.keyUsageIncompatible",
            () -> ValidationErrors.keyUsageIncompatible("KEY_AGREEMENT", "RSA_2048"),
            "ValidationException",
            400,
            "KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048"),
        row(
            "ValidationErrors.xksKeyIdNotAllowed",
            ValidationErrors::xksKeyIdNotAllowed,
            "ValidationException",
            400,
            "XksKeyId is valid only for KMS keys with an Origin of EXTERNAL_KEY_STORE."),
        row(
            "ValidationErrors.xksKeyIdRequired",
            ValidationErrors::xksKeyIdRequired,
            "ValidationException",
            400,
            "XksKeyId is required for KMS keys with an Origin of EXTERNAL_KEY_STORE."),
        row(
            "ValidationErrors.aliasPrefix",
            ValidationErrors::aliasPrefix,
            "ValidationException",
            400,
            "Alias must start with the prefix \"alias/\". Please see"
                + " https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html"),
        row(
            "ValidationErrors.aliasCharacters",
            () -> ValidationErrors.aliasCharacters("alias/a b"),
            "ValidationException",
            400,
            "alias/a b contains invalid characters for an alias"),
        row(
            "ValidationErrors.aliasTargetIsAlias",
            ValidationErrors::aliasTargetIsAlias,
            "ValidationException",
            400,
            "Aliases must refer to keys. Not aliases"),
        row(
            "ValidationErrors.plaintextTooLarge",
            () -> ValidationErrors.plaintextTooLarge("RSAES_OAEP_SHA_1", "RSA_2048", 214),
            "ValidationException",
            400,
            "Algorithm RSAES_OAEP_SHA_1 and key spec RSA_2048 cannot encrypt data larger than 214"
                + " bytes."),
        row(
            "ValidationErrors.encryptionContextWithAsymmetricKey",
            ValidationErrors::encryptionContextWithAsymmetricKey,
            "ValidationException",
            400,
            "EncryptionContext is not supported with asymmetric KMS keys."),
        row(
            "ValidationErrors.messageType",
            () -> ValidationErrors.messageType("EXTERNAL_MU", "ECDSA_SHA_256"),
            "ValidationException",
            400,
            "MessageType EXTERNAL_MU is not valid for ECDSA_SHA_256."),
        row(
            "ValidationErrors.messageTypeRawOnly",
            () -> ValidationErrors.messageTypeRawOnly("DIGEST", "ED25519_SHA_512"),
            "ValidationException",
            400,
            "MessageType DIGEST is not valid for ED25519_SHA_512; use RAW."),
        row(
            "ValidationErrors.digestLength",
            () -> ValidationErrors.digestLength("ECDSA_SHA_256"),
            "ValidationException",
            400,
            "Digest is invalid length for algorithm ECDSA_SHA_256."),
        row(
            "ValidationErrors.publicKeyNotValid",
            ValidationErrors::publicKeyNotValid,
            "ValidationException",
            400,
            ""),
        // GrantErrors.
        row(
            "GrantErrors.invalidGrantToken",
            GrantErrors::invalidGrantToken,
            "InvalidGrantTokenException",
            400,
            "Invalid grant token."),
        row(
            "GrantErrors.grantTokenNotFound",
            GrantErrors::grantTokenNotFound,
            "NotFoundException",
            400,
            "Grant token not found"),
        row(
            "GrantErrors.grantNotFound",
            () -> GrantErrors.grantNotFound("0123abcd"),
            "NotFoundException",
            400,
            "Grant ID 0123abcd not found"),
        row(
            "GrantErrors.grantIdentification",
            GrantErrors::grantIdentification,
            "ValidationException",
            400,
            "Either GrantToken or both KeyId and GrantId must be specified."),
        row(
            "GrantErrors.tooManyGrants",
            () -> GrantErrors.tooManyGrants(KEY_ID, 50000),
            "LimitExceededException",
            400,
            "The number of grants on " + KEY_ID + " exceeds 50000."),
        row(
            "GrantErrors.tooManyGrantsForGrantee",
            () -> GrantErrors.tooManyGrantsForGrantee(KEY_ID, ROLE, 500),
            "LimitExceededException",
            400,
            "The number of grants on "
                + KEY_ID
                + " for grantee principal "
                + ROLE
                + " exceeds 500."),
        row(
            "GrantErrors.invalidPrincipal",
            () -> GrantErrors.invalidPrincipal("GranteePrincipal", "nobody"),
            "ValidationException",
            400,
            "Invalid GranteePrincipal: nobody"),
        row(
            "GrantErrors.operationsNotSupportedByKey",
            () ->
                GrantErrors.operationsNotSupportedByKey(
                    List.of("Sign"), "HMAC_256", "GENERATE_VERIFY_MAC"),
            "ValidationException",
            400,
            "Grant operations [Sign] are not supported by a HMAC_256 key with key usage"
                + " GENERATE_VERIFY_MAC."),
        row(
            "GrantErrors.constraintsNeedSymmetricKey",
            GrantErrors::constraintsNeedSymmetricKey,
            "ValidationException",
            400,
            "Encryption context grant constraints are supported only for symmetric encryption KMS"
                + " keys."),
        row(
            "GrantErrors.tooManyConstraintPairs",
            () -> GrantErrors.tooManyConstraintPairs("EncryptionContextEquals", 8),
            "ValidationException",
            400,
            "EncryptionContextEquals can include at most 8 encryption context pairs."),
        row(
            "GrantErrors.constraintValueTooLong",
            () -> GrantErrors.constraintValueTooLong("EncryptionContextSubset", 384),
            "ValidationException",
            400,
            "An encryption context value in EncryptionContextSubset exceeds 384 characters."),
        // ManagementErrors.
        row(
            "ManagementErrors.aliasExists",
            () -> ManagementErrors.aliasExists(ALIAS_ARN),
            "AlreadyExistsException",
            400,
            "An alias with the name " + ALIAS_ARN + " already exists"),
        row(
            "ManagementErrors.aliasReserved",
            ManagementErrors::aliasReserved,
            "NotAuthorizedException",
            400,
            null),
        row(
            "ManagementErrors.duplicateTagKeys",
            ManagementErrors::duplicateTagKeys,
            "TagException",
            400,
            "Duplicate tag keys"),
        row(
            "ManagementErrors.tooManyTags",
            ManagementErrors::tooManyTags,
            "TagException",
            400,
            "Too many tags"),
        row(
            "ManagementErrors.tagLimit",
            () -> ManagementErrors.tagLimit(50),
            "LimitExceededException",
            400,
            "A KMS key can have at most 50 tags."),
        row(
            "ManagementErrors.reservedTagPrefix",
            ManagementErrors::reservedTagPrefix,
            "TagException",
            400,
            "Tags beginning with aws: are reserved"),
        row(
            "ManagementErrors.customKeyStoreNotFound",
            () -> ManagementErrors.customKeyStoreNotFound("cks-1234567890abcdef0"),
            "CustomKeyStoreNotFoundException",
            400,
            "Custom key store cks-1234567890abcdef0 does not exist."),
        row(
            "ManagementErrors.policyTooLarge",
            () -> ManagementErrors.policyTooLarge(32768),
            "LimitExceededException",
            400,
            "The key policy is larger than 32768 bytes."),
        row(
            "ProtocolErrors.throttled",
            ProtocolErrors::throttled,
            "ThrottlingException",
            400,
            "You have exceeded the rate at which you may call KMS. Reduce the frequency of your"
                + " calls."),
        row(
            "ManagementErrors.keyQuota",
            () -> ManagementErrors.keyQuota(100000, 100000),
            "LimitExceededException",
            400,
            "Key quota for this account in this region is 100000 but the current usage is 100000."),
        row(
            "ManagementErrors.aliasQuota",
            () -> ManagementErrors.aliasQuota(ARN, 50),
            "LimitExceededException",
            400,
            "The number of aliases on " + ARN + " exceeds 50."),
        row(
            "ManagementErrors.malformedPolicy",
            () -> ManagementErrors.malformedPolicy("Statement is missing."),
            "MalformedPolicyDocumentException",
            400,
            "Statement is missing."),
        row(
            "ManagementErrors.policyLockout",
            ManagementErrors::policyLockout,
            "MalformedPolicyDocumentException",
            400,
            "The new key policy will not allow you to update the key policy in the future."),
        row(
            "ManagementErrors.policyNotFound",
            () -> ManagementErrors.policyNotFound("other", ARN),
            "NotFoundException",
            400,
            "Policy 'other' does not exist on key '" + ARN + "'"),
        row(
            "ManagementErrors.onDemandRotationQuota",
            () -> ManagementErrors.onDemandRotationQuota(ARN, 10),
            "LimitExceededException",
            400,
            "On-demand rotations quota exceeded for "
                + ARN
                + ": at most 10 on-demand rotations per key."),
        row(
            "ManagementErrors.rotationConflict",
            () -> ManagementErrors.rotationConflict(ARN),
            "ConflictException",
            400,
            "A rotation of "
                + ARN
                + " is in progress or scheduled to begin within the next 20 minutes."),
        row(
            "ManagementErrors.cannotRotateNow",
            () -> ManagementErrors.cannotRotateNow(ARN),
            "KMSInvalidStateException",
            400,
            ARN + " cannot be rotated now."),
        row(
            "ManagementErrors.rotationOfReplica",
            () -> ManagementErrors.rotationOfReplica(MRK_ARN),
            "UnsupportedOperationException",
            400,
            MRK_ARN + " is a multi-Region replica key: rotation is managed on its primary key."),
        row(
            "ManagementErrors.notSymmetricEncryptionKey",
            () -> ManagementErrors.notSymmetricEncryptionKey(ARN),
            "UnsupportedOperationException",
            400,
            ARN + " is not a symmetric encryption KMS key."),
        row(
            "ManagementErrors.usageLimitReached",
            () -> ManagementErrors.usageLimitReached(ARN, 4294967296L),
            "KMSInvalidStateException",
            400,
            ARN
                + " cannot encrypt: its current key material has reached its limit of 4294967296"
                + " encryptions. Rotate the key."),
        row(
            "ManagementErrors.notMultiRegion",
            () -> ManagementErrors.notMultiRegion(ARN),
            "UnsupportedOperationException",
            400,
            ARN + " is not a multi-Region key."),
        row(
            "ManagementErrors.replicateReplica",
            () -> ManagementErrors.replicateReplica(MRK_ARN),
            "UnsupportedOperationException",
            400,
            MRK_ARN + " is a replica key; only the primary key can be replicated."),
        row(
            "ManagementErrors.replicaExists",
            () -> ManagementErrors.replicaExists(MRK_ARN),
            "AlreadyExistsException",
            400,
            "Key " + MRK_ARN + " already exists."),
        row(
            "ManagementErrors.notPrimary",
            () -> ManagementErrors.notPrimary(MRK_ARN),
            "UnsupportedOperationException",
            400,
            MRK_ARN + " is not the primary key of its multi-Region key."),
        row(
            "ManagementErrors.alreadyPrimary",
            () -> ManagementErrors.alreadyPrimary(MRK_ARN),
            "UnsupportedOperationException",
            400,
            MRK_ARN + " is already the primary key."),
        // ImportErrors.
        row(
            "ImportErrors.importTokenExpired",
            ImportErrors::importTokenExpired,
            "ExpiredImportTokenException",
            400,
            "Import token expired."),
        row(
            "ImportErrors.invalidImportToken",
            () -> ImportErrors.invalidImportToken(ARN),
            "InvalidImportTokenException",
            400,
            "Import token is invalid for " + ARN + "."),
        row(
            "ImportErrors.keyGone",
            () -> ImportErrors.keyGone(ARN),
            "NotFoundException",
            400,
            ARN + " is gone."),
        row(
            "ImportErrors.materialBusyOnAnotherNode",
            () -> ImportErrors.materialBusyOnAnotherNode(ARN),
            "KMSInvalidStateException",
            400,
            "The key material of "
                + ARN
                + " is being imported or deleted by another node at this moment; try again."),
        row(
            "ImportErrors.noMaterialImportedBefore",
            () -> ImportErrors.noMaterialImportedBefore(ARN),
            "ValidationException",
            400,
            "ImportType EXISTING_KEY_MATERIAL needs key material imported into "
                + ARN
                + " before."),
        row(
            "ImportErrors.incorrectKeyMaterial",
            ImportErrors::incorrectKeyMaterial,
            "IncorrectKeyMaterialException",
            400,
            "The key material is not the key material previously imported into this key."),
        row(
            "ImportErrors.wrappingCannotWrap",
            () -> ImportErrors.wrappingCannotWrap("RSAES_OAEP_SHA_256", "RSA_2048"),
            "ValidationException",
            400,
            "WrappingAlgorithm RSAES_OAEP_SHA_256 cannot wrap key material of KeySpec RSA_2048."
                + " Use RSA_AES_KEY_WRAP_SHA_1 or RSA_AES_KEY_WRAP_SHA_256."),
        row(
            "ImportErrors.validToNotAllowed",
            ImportErrors::validToNotAllowed,
            "ValidationException",
            400,
            "ValidTo must not be specified when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE."),
        row(
            "ImportErrors.validToRequired",
            ImportErrors::validToRequired,
            "ValidationException",
            400,
            "ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES."),
        row(
            "ImportErrors.validToInThePast",
            ImportErrors::validToInThePast,
            "ValidationException",
            400,
            "ValidTo must be in the future."),
        row(
            "ImportErrors.validToTooLate",
            ImportErrors::validToTooLate,
            "ValidationException",
            400,
            "ValidTo must be at most 365 days from the request date."),
        // NotSupportedErrors: this service's own limits.
        row(
            "NotSupportedErrors.operation",
            () -> NotSupportedErrors.operation("ConnectCustomKeyStore"),
            "UnsupportedOperationException",
            400,
            "ConnectCustomKeyStore is not supported by this service yet."),
        row(
            "NotSupportedErrors.recipient",
            NotSupportedErrors::recipient,
            "UnsupportedOperationException",
            400,
            "Recipient (attested enclaves) is not supported by this service."),
        row(
            "NotSupportedErrors.keySpec",
            () -> NotSupportedErrors.keySpec("SM2"),
            "UnsupportedOperationException",
            400,
            "KeySpec SM2 is not supported by this service."),
        row(
            "NotSupportedErrors.keyPairSpec",
            () -> NotSupportedErrors.keyPairSpec("SM2"),
            "UnsupportedOperationException",
            400,
            "KeyPairSpec SM2 is not supported by this service."),
        row(
            "NotSupportedErrors.origin",
            () -> NotSupportedErrors.origin("AWS_CLOUDHSM"),
            "UnsupportedOperationException",
            400,
            "Origin AWS_CLOUDHSM is not supported by this service."),
        row(
            "NotSupportedErrors.multiRegionImportedMaterial",
            NotSupportedErrors::multiRegionImportedMaterial,
            "UnsupportedOperationException",
            400,
            "Multi-Region keys with imported key material are not supported by this service."),
        row(
            "NotSupportedErrors.importOfKeySpec",
            () -> NotSupportedErrors.importOfKeySpec("ECC_NIST_P256"),
            "UnsupportedOperationException",
            400,
            "Importing key material of KeySpec ECC_NIST_P256 is not supported by this service."),
        row(
            "NotSupportedErrors.wrappingAlgorithm",
            () -> NotSupportedErrors.wrappingAlgorithm("SM2PKE"),
            "UnsupportedOperationException",
            400,
            "WrappingAlgorithm SM2PKE is not supported."),
        row(
            "NotSupportedErrors.wrappingKeySpec",
            () -> NotSupportedErrors.wrappingKeySpec("SM2"),
            "UnsupportedOperationException",
            400,
            "WrappingKeySpec SM2 is not supported."),
        row(
            "NotSupportedErrors.newMaterialForKeyWithMaterial",
            NotSupportedErrors::newMaterialForKeyWithMaterial,
            "UnsupportedOperationException",
            400,
            "ImportType NEW_KEY_MATERIAL for a key that has had key material is not supported by"
                + " this service."),
        row(
            "NotSupportedErrors.keyMaterialId",
            NotSupportedErrors::keyMaterialId,
            "UnsupportedOperationException",
            400,
            "KeyMaterialId is not supported by this service: a key has one imported material."),
        row(
            "NotSupportedErrors.keyMaterialIdAndDescription",
            NotSupportedErrors::keyMaterialIdAndDescription,
            "UnsupportedOperationException",
            400,
            "KeyMaterialId and KeyMaterialDescription are not supported by this service: a key"
                + " has one imported material."),
        // ProtocolErrors.
        row(
            "ProtocolErrors.unknownOperation",
            ProtocolErrors::unknownOperation,
            "UnknownOperationException",
            400,
            null),
        row(
            "ProtocolErrors.requestTooLarge",
            () -> ProtocolErrors.requestTooLarge(65536),
            "RequestEntityTooLargeException",
            413,
            "The request body exceeds the limit of 65536 bytes."),
        row(
            "ProtocolErrors.requestUnreadable",
            ProtocolErrors::requestUnreadable,
            "SerializationException",
            400,
            "The request could not be read."),
        row(
            "ProtocolErrors.bodyNotJson",
            ProtocolErrors::bodyNotJson,
            "SerializationException",
            400,
            "The request body is not valid JSON."),
        row(
            "ProtocolErrors.bodyUnreadable",
            ProtocolErrors::bodyUnreadable,
            "SerializationException",
            400,
            "The request body could not be read."),
        row(
            "ProtocolErrors.notAnObject",
            ProtocolErrors::notAnObject,
            "SerializationException",
            400,
            "Start of structure or map found where not expected."),
        row(
            "ProtocolErrors.unexpectedType",
            () -> ProtocolErrors.unexpectedType("keyId"),
            "SerializationException",
            400,
            "Unexpected value type for 'keyId'."),
        row(
            "ProtocolErrors.notBase64",
            () -> ProtocolErrors.notBase64("plaintext"),
            "SerializationException",
            400,
            "Value for 'plaintext' is not valid base64."),
        row(
            "ProtocolErrors.authentication",
            () ->
                ProtocolErrors.authentication(
                    ErrorCode.UNRECOGNIZED_CLIENT,
                    "The security token included in the request is invalid."),
            "UnrecognizedClientException",
            400,
            "The security token included in the request is invalid."));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void factory_givesAwsTypeStatusAndMessage(Row row) {
    KmsException e = row.call().get();

    assertEquals(row.type(), e.code().awsType(), row.factory());
    assertEquals(row.status(), e.code().httpStatus(), row.factory());
    if (row.message() == null) {
      assertNull(e.getMessage(), row.factory());
    } else {
      assertEquals(row.message(), e.getMessage(), row.factory());
    }
  }

  @Test
  void everyFactory_hasARow() {
    Set<String> factories = new TreeSet<>();
    for (Class<?> c : ERROR_CLASSES) {
      for (Method m : c.getDeclaredMethods()) {
        if (Modifier.isPublic(m.getModifiers())
            && Modifier.isStatic(m.getModifiers())
            && m.getReturnType() == KmsException.class) {
          assertTrue(
              factories.add(c.getSimpleName() + "." + m.getName()),
              "one factory per name, so that the table names it: " + m);
        }
      }
    }
    Set<String> tabled = rows().stream().map(Row::factory).collect(Collectors.toSet());

    assertEquals(factories, new TreeSet<>(tabled));
    assertEquals(rows().size(), tabled.size(), "each factory has exactly one row");
  }

  @Test
  void kmsExceptionsOwnFactories_sayWhatTheErrorsClassesSay() {
    assertEquals(ErrorCode.INVALID_CIPHERTEXT, KmsException.invalidCiphertext().code());
    assertNull(KmsException.invalidCiphertext().getMessage());
    assertEquals(
        ValidationErrors.constraint("'0'", "limit", "x").getMessage(),
        KmsException.validation("'0'", "limit", "x").getMessage());
    assertEquals(
        "An internal error occurred.",
        KmsException.from(new IllegalStateException("secret detail")).getMessage());
  }
}
