package org.hsmkms.it;

import static org.hsmkms.it.FidelityTable.disabled;
import static org.hsmkms.it.FidelityTable.error;
import static org.hsmkms.it.FidelityTable.invalid;
import static org.hsmkms.it.FidelityTable.missing;
import static org.hsmkms.it.FidelityTable.notFound;
import static org.hsmkms.it.FidelityTable.ok;
import static org.hsmkms.it.FidelityTable.ours;
import static org.hsmkms.it.FidelityTable.pendingDeletion;
import static org.hsmkms.it.FidelityTable.row;

import java.util.List;
import org.hsmkms.it.FidelityTable.Case;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The AWS fidelity table (issue 17, item 3) of grants, rotation, imported key material,
 * multi-Region keys and GetKeyLastUsage. See {@link FidelityTable} for how a row is checked and
 * docs/aws-fidelity.md for the sources and every difference.
 */
class AwsFidelityTableLifecycleIT {
  private static final String GRANTEE = "arn:aws:iam::$account:role/fidelity";
  private static final String NO_GRANT = "0".repeat(64);
  private static final String DRY_RUN =
      "The request would have succeeded, but the DryRun option is set.";

  private static String awsKmsOrigin(String key) {
    return "$" + key + ".arn origin is AWS_KMS which is not valid for this operation.";
  }

  static List<Case> cases() {
    return List.of(
        // --- Grants ----------------------------------------------------------------------------
        row(
            "CreateGrant",
            "Encrypt for a role",
            "{'KeyId':'$sym','GranteePrincipal':'" + GRANTEE + "','Operations':['Encrypt']}",
            ok("GrantToken", "GrantId")),
        row(
            "CreateGrant",
            "without Operations",
            "{'KeyId':'$sym','GranteePrincipal':'" + GRANTEE + "'}",
            missing("operations")),
        row(
            "CreateGrant",
            "unknown key",
            "{'KeyId':'$unknown','GranteePrincipal':'" + GRANTEE + "','Operations':['Encrypt']}",
            notFound("unknown")),
        row(
            "CreateGrant",
            "key pending deletion",
            "{'KeyId':'$pending','GranteePrincipal':'" + GRANTEE + "','Operations':['Encrypt']}",
            pendingDeletion("pending")),
        row(
            "CreateGrant",
            "disabled key (AWS's key state table, [1])",
            "{'KeyId':'$disabled','GranteePrincipal':'" + GRANTEE + "','Operations':['Encrypt']}",
            disabled("disabled")),
        ours(
            "CreateGrant",
            "Sign on a symmetric key",
            "{'KeyId':'$sym','GranteePrincipal':'" + GRANTEE + "','Operations':['Sign']}",
            error(
                "ValidationException",
                "Grant operations [Sign] are not supported by a SYMMETRIC_DEFAULT key with key usage"
                    + " ENCRYPT_DECRYPT."),
            "AWS refuses grant operations the key cannot perform; its message is not recorded"),
        row(
            "CreateGrant",
            "DryRun",
            "{'KeyId':'$sym','GranteePrincipal':'"
                + GRANTEE
                + "','Operations':['Encrypt'],'DryRun':true}",
            error("DryRunOperationException", DRY_RUN)),
        row("ListGrants", "grants of a key", "{'KeyId':'$sym'}", ok("Grants", "Truncated")),
        row("ListGrants", "without KeyId", "{}", missing("keyId")),
        row("ListGrants", "unknown key", "{'KeyId':'$unknown'}", notFound("unknown")),
        row("ListGrants", "key pending deletion", "{'KeyId':'$pending'}", ok("Grants")),
        row(
            "ListRetirableGrants",
            "the caller's",
            "{'RetiringPrincipal':'$principal'}",
            ok("Grants", "Truncated")),
        row("ListRetirableGrants", "without RetiringPrincipal", "{}", missing("retiringPrincipal")),
        row("RetireGrant", "by key and grant id", "{'KeyId':'$sym','GrantId':'$newGrant'}", ok()),
        row(
            "RetireGrant",
            "empty GrantId",
            "{'KeyId':'$sym','GrantId':''}",
            invalid(
                "Value '' at 'grantId' failed to satisfy constraint: Member must have length"
                    + " greater than or equal to 1")),
        row(
            "RetireGrant",
            "unknown key",
            "{'KeyId':'$unknown','GrantId':'" + NO_GRANT + "'}",
            notFound("unknown")),
        ours(
            "RetireGrant",
            "malformed grant token",
            "{'GrantToken':'not-a-token'}",
            error("InvalidGrantTokenException", "Invalid grant token."),
            "AWS's message for a malformed grant token is not documented"),
        row("RevokeGrant", "a grant of the key", "{'KeyId':'$sym','GrantId':'$newGrant'}", ok()),
        row("RevokeGrant", "without GrantId", "{'KeyId':'$sym'}", missing("grantId")),
        row(
            "RevokeGrant",
            "unknown key",
            "{'KeyId':'$unknown','GrantId':'" + NO_GRANT + "'}",
            notFound("unknown")),
        ours(
            "RevokeGrant",
            "unknown grant",
            "{'KeyId':'$sym','GrantId':'" + NO_GRANT + "'}",
            error("NotFoundException", "Grant ID " + NO_GRANT + " not found"),
            "AWS's message for an unknown grant id is not documented"),
        // --- Rotation --------------------------------------------------------------------------
        row("EnableKeyRotation", "symmetric key", "{'KeyId':'$new'}", ok()),
        row(
            "EnableKeyRotation",
            "89 days",
            "{'KeyId':'$new','RotationPeriodInDays':89}",
            invalid(
                "Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must"
                    + " have value greater than or equal to 90")),
        row("EnableKeyRotation", "unknown key", "{'KeyId':'$unknown'}", notFound("unknown")),
        row("EnableKeyRotation", "disabled key", "{'KeyId':'$disabled'}", disabled("disabled")),
        row(
            "EnableKeyRotation",
            "key pending deletion",
            "{'KeyId':'$pending'}",
            pendingDeletion("pending")),
        ours(
            "EnableKeyRotation",
            "HMAC key",
            "{'KeyId':'$hmac'}",
            error(
                "UnsupportedOperationException",
                "$hmac.arn is not a symmetric encryption KMS key."),
            "AWS's message for a key that cannot rotate is not recorded"),
        row("DisableKeyRotation", "symmetric key", "{'KeyId':'$new'}", ok()),
        row("DisableKeyRotation", "without KeyId", "{}", missing("keyId")),
        row("DisableKeyRotation", "unknown key", "{'KeyId':'$unknown'}", notFound("unknown")),
        row("DisableKeyRotation", "disabled key", "{'KeyId':'$disabled'}", disabled("disabled")),
        row(
            "GetKeyRotationStatus",
            "symmetric key",
            "{'KeyId':'$sym'}",
            ok("KeyRotationEnabled", "KeyId")),
        row(
            "GetKeyRotationStatus",
            "HMAC key: false",
            "{'KeyId':'$hmac'}",
            ok("KeyRotationEnabled")),
        row("GetKeyRotationStatus", "key pending deletion", "{'KeyId':'$pending'}", ok("KeyId")),
        row("GetKeyRotationStatus", "without KeyId", "{}", missing("keyId")),
        row("GetKeyRotationStatus", "unknown key", "{'KeyId':'$unknown'}", notFound("unknown")),
        row("RotateKeyOnDemand", "symmetric key", "{'KeyId':'$new'}", ok("KeyId")),
        row("RotateKeyOnDemand", "without KeyId", "{}", missing("keyId")),
        row("RotateKeyOnDemand", "unknown key", "{'KeyId':'$unknown'}", notFound("unknown")),
        row("RotateKeyOnDemand", "disabled key", "{'KeyId':'$disabled'}", disabled("disabled")),
        row(
            "RotateKeyOnDemand",
            "key pending deletion",
            "{'KeyId':'$pending'}",
            pendingDeletion("pending")),
        row("ListKeyRotations", "symmetric key", "{'KeyId':'$sym'}", ok("Rotations", "Truncated")),
        row(
            "ListKeyRotations",
            "Limit 0",
            "{'KeyId':'$sym','Limit':0}",
            invalid(
                "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater"
                    + " than or equal to 1")),
        row("ListKeyRotations", "unknown key", "{'KeyId':'$unknown'}", notFound("unknown")),
        ours(
            "ListKeyRotations",
            "HMAC key",
            "{'KeyId':'$hmac'}",
            error(
                "UnsupportedOperationException",
                "$hmac.arn is not a symmetric encryption KMS key."),
            "AWS's message for the rotations of a key that cannot rotate is not recorded"),
        // --- Imported key material -------------------------------------------------------------
        row(
            "GetParametersForImport",
            "EXTERNAL key",
            "{'KeyId':'$newExternal','WrappingAlgorithm':'RSAES_OAEP_SHA_256',"
                + "'WrappingKeySpec':'RSA_2048'}",
            ok("KeyId", "ImportToken", "PublicKey", "ParametersValidTo")),
        row(
            "GetParametersForImport",
            "without WrappingKeySpec",
            "{'KeyId':'$external','WrappingAlgorithm':'RSAES_OAEP_SHA_256'}",
            missing("wrappingKeySpec")),
        row(
            "GetParametersForImport",
            "unknown key",
            "{'KeyId':'$unknown','WrappingAlgorithm':'RSAES_OAEP_SHA_256','WrappingKeySpec':'RSA_2048'}",
            notFound("unknown")),
        row(
            "GetParametersForImport",
            "key of origin AWS_KMS",
            "{'KeyId':'$sym','WrappingAlgorithm':'RSAES_OAEP_SHA_256','WrappingKeySpec':'RSA_2048'}",
            error("UnsupportedOperationException", awsKmsOrigin("sym"))),
        row(
            "ImportKeyMaterial",
            "wrapped 256-bit material",
            FidelityFixture::importRequest,
            ok("KeyId", "KeyMaterialId")),
        row(
            "ImportKeyMaterial",
            "without ImportToken",
            "{'KeyId':'$external','EncryptedKeyMaterial':'$b64'}",
            missing("importToken")),
        row(
            "ImportKeyMaterial",
            "unknown key",
            "{'KeyId':'$unknown','ImportToken':'$b64','EncryptedKeyMaterial':'$b64',"
                + "'ExpirationModel':'KEY_MATERIAL_DOES_NOT_EXPIRE'}",
            notFound("unknown")),
        ours(
            "ImportKeyMaterial",
            "a token that is none of ours",
            "{'KeyId':'$external','ImportToken':'$b64','EncryptedKeyMaterial':'$b64',"
                + "'ExpirationModel':'KEY_MATERIAL_DOES_NOT_EXPIRE'}",
            error("InvalidImportTokenException", "Import token is invalid for $external.arn."),
            "AWS's message for an import token of another key is not documented"),
        row(
            "DeleteImportedKeyMaterial",
            "key pending import: no effect",
            "{'KeyId':'$newExternal'}",
            ok("KeyId")),
        row("DeleteImportedKeyMaterial", "without KeyId", "{}", missing("keyId")),
        row(
            "DeleteImportedKeyMaterial",
            "unknown key",
            "{'KeyId':'$unknown'}",
            notFound("unknown")),
        row(
            "DeleteImportedKeyMaterial",
            "key of origin AWS_KMS",
            "{'KeyId':'$sym'}",
            error("UnsupportedOperationException", awsKmsOrigin("sym"))),
        // --- Multi-Region keys -----------------------------------------------------------------
        row(
            "ReplicateKey",
            "to us-west-2",
            "{'KeyId':'$newMrk','ReplicaRegion':'us-west-2'}",
            ok(
                "ReplicaKeyMetadata.Arn",
                "ReplicaKeyMetadata.MultiRegionConfiguration",
                "ReplicaPolicy")),
        row(
            "ReplicateKey",
            "without ReplicaRegion",
            "{'KeyId':'$newMrk'}",
            missing("replicaRegion")),
        row(
            "ReplicateKey",
            "unknown key",
            "{'KeyId':'$unknownMrk','ReplicaRegion':'us-west-2'}",
            notFound("unknownMrk")),
        ours(
            "ReplicateKey",
            "single-Region key",
            "{'KeyId':'$sym','ReplicaRegion':'us-west-2'}",
            error("UnsupportedOperationException", "$sym.arn is not a multi-Region key."),
            "AWS's message for replicating a single-Region key is not documented"),
        row(
            "UpdatePrimaryRegion",
            "to the replica's region",
            "{'KeyId':'$newReplicated','PrimaryRegion':'us-west-2'}",
            ok()),
        row(
            "UpdatePrimaryRegion",
            "without PrimaryRegion",
            "{'KeyId':'$newReplicated'}",
            missing("primaryRegion")),
        row(
            "UpdatePrimaryRegion",
            "unknown key",
            "{'KeyId':'$unknownMrk','PrimaryRegion':'us-west-2'}",
            notFound("unknownMrk")),
        ours(
            "UpdatePrimaryRegion",
            "single-Region key",
            "{'KeyId':'$sym','PrimaryRegion':'us-west-2'}",
            error("UnsupportedOperationException", "$sym.arn is not a multi-Region key."),
            "AWS's answer for a single-Region key could not be determined"),
        // --- GetKeyLastUsage -------------------------------------------------------------------
        row(
            "GetKeyLastUsage",
            "a used key",
            "{'KeyId':'$sym'}",
            ok("KeyId", "KeyLastUsage.Operation", "TrackingStartDate")),
        row("GetKeyLastUsage", "without KeyId", "{}", missing("keyId")),
        row("GetKeyLastUsage", "unknown key", "{'KeyId':'$unknown'}", notFound("unknown")),
        row("GetKeyLastUsage", "key pending deletion", "{'KeyId':'$pending'}", ok("KeyId")),
        ours(
            "GetKeyLastUsage",
            "an alias",
            "{'KeyId':'$alias'}",
            error("NotFoundException", "Alias arn:aws:kms:us-east-1:$account:$alias is not found."),
            "AWS documents key id and key ARN only; its answer to an alias is not recorded"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void answersAsAws(Case c) {
    FidelityTable.check(FidelityFixture.shared().server(), FidelityFixture.shared(), c);
  }
}
