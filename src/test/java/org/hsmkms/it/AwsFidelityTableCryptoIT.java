package org.hsmkms.it;

import static org.hsmkms.it.FidelityTable.disabled;
import static org.hsmkms.it.FidelityTable.error;
import static org.hsmkms.it.FidelityTable.errorMatching;
import static org.hsmkms.it.FidelityTable.invalid;
import static org.hsmkms.it.FidelityTable.missing;
import static org.hsmkms.it.FidelityTable.notFound;
import static org.hsmkms.it.FidelityTable.ok;
import static org.hsmkms.it.FidelityTable.ours;
import static org.hsmkms.it.FidelityTable.pendingDeletion;
import static org.hsmkms.it.FidelityTable.pendingImport;
import static org.hsmkms.it.FidelityTable.row;
import static org.hsmkms.it.FidelityTable.wrongUsage;

import java.util.Base64;
import java.util.List;
import org.hsmkms.it.FidelityTable.Case;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The AWS fidelity table (issue 17, item 3) of the cryptographic operations: for each, a success
 * whose fields are AWS's, its validation error, its unknown key, its key states and key usages, and
 * the order in which AWS checks them. See {@link FidelityTable} for how a row is checked and
 * docs/aws-fidelity.md for the sources and every difference.
 */
class AwsFidelityTableCryptoIT {
  private static final String DRY_RUN =
      "The request would have succeeded, but the DryRun option is set.";
  private static final String INCORRECT_KEY =
      "The key ID in the request does not identify a CMK that can perform this operation.";

  static List<Case> cases() {
    return List.of(
        // --- Encrypt ---------------------------------------------------------------------------
        row(
            "Encrypt",
            "symmetric key",
            "{'KeyId':'$sym','Plaintext':'$b64'}",
            ok("CiphertextBlob", "KeyId", "EncryptionAlgorithm")),
        row(
            "Encrypt",
            "by alias name",
            "{'KeyId':'$alias','Plaintext':'$b64'}",
            ok("CiphertextBlob", "KeyId", "EncryptionAlgorithm")),
        row("Encrypt", "without KeyId", "{'Plaintext':'$b64'}", missing("keyId")),
        row(
            "Encrypt",
            "unknown key",
            "{'KeyId':'$unknown','Plaintext':'$b64'}",
            notFound("unknown")),
        row(
            "Encrypt",
            "unknown alias",
            "{'KeyId':'alias/fidelity-none','Plaintext':'$b64'}",
            error(
                "NotFoundException",
                "Alias arn:aws:kms:us-east-1:$account:alias/fidelity-none is not found.")),
        row(
            "Encrypt",
            "disabled key",
            "{'KeyId':'$disabled','Plaintext':'$b64'}",
            disabled("disabled")),
        row(
            "Encrypt",
            "key pending deletion",
            "{'KeyId':'$pending','Plaintext':'$b64'}",
            pendingDeletion("pending")),
        row(
            "Encrypt",
            "key pending import",
            "{'KeyId':'$external','Plaintext':'$b64'}",
            pendingImport("external")),
        row(
            "Encrypt",
            "signing key",
            "{'KeyId':'$ecSign','Plaintext':'$b64'}",
            wrongUsage("ecSign", "SIGN_VERIFY", "Encrypt")),
        row(
                "Encrypt",
                "RSA key without EncryptionAlgorithm",
                "{'KeyId':'$rsaEnc','Plaintext':'$b64'}",
                error(
                    "InvalidKeyUsageException",
                    "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048."))
            .differs(
                error(
                    "InvalidKeyUsageException",
                    "The encryption algorithm SYMMETRIC_DEFAULT is not valid for $rsaEnc.arn."),
                "our own wording; AWS's is recorded in users' reports of its SDK errors"),
        row(
            "Encrypt",
            "RSA key, 191 bytes with OAEP SHA-256",
            x ->
                x.request(
                    "{'KeyId':'$rsaEnc','EncryptionAlgorithm':'RSAES_OAEP_SHA_256','Plaintext':'"
                        + Base64.getEncoder().encodeToString(new byte[191])
                        + "'}"),
            error(
                "ValidationException",
                "Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger"
                    + " than 190 bytes.")),
        row(
            "Encrypt",
            "ORDER: no Plaintext and an unknown key: validation first",
            "{'KeyId':'$unknown'}",
            missing("plaintext")),
        ours(
            "Encrypt",
            "ORDER: a disabled signing key: state before usage",
            "{'KeyId':'$disabledSign','Plaintext':'$b64'}",
            disabled("disabledSign"),
            "whether AWS checks the key state or the key usage first is not documented"),
        row(
            "Encrypt",
            "DryRun",
            "{'KeyId':'$sym','Plaintext':'$b64','DryRun':true}",
            error("DryRunOperationException", DRY_RUN)),
        // --- Decrypt ---------------------------------------------------------------------------
        row(
            "Decrypt",
            "symmetric ciphertext",
            "{'CiphertextBlob':'$ct'}",
            ok("KeyId", "Plaintext", "EncryptionAlgorithm")),
        row("Decrypt", "without CiphertextBlob", "{}", missing("ciphertextBlob")),
        row(
            "Decrypt",
            "not a ciphertext",
            "{'CiphertextBlob':'AAECAwQFBgcICQoLDA0ODw=='}",
            error("InvalidCiphertextException", "")),
        row(
            "Decrypt",
            "KeyId of an HMAC key",
            "{'CiphertextBlob':'$ct','KeyId':'$hmac'}",
            error("IncorrectKeyException", INCORRECT_KEY)),
        row(
            "Decrypt",
            "KeyId of another symmetric key",
            "{'CiphertextBlob':'$ct','KeyId':'$disabled'}",
            error("IncorrectKeyException", INCORRECT_KEY)),
        ours(
            "Decrypt",
            "KeyId of an unknown key",
            "{'CiphertextBlob':'$ct','KeyId':'$unknown'}",
            notFound("unknown"),
            "AWS may answer IncorrectKeyException (the blob names another key) or NotFoundException"),
        row("Decrypt", "disabled key", "{'CiphertextBlob':'$ctDisabled'}", disabled("disabled")),
        row(
            "Decrypt",
            "key pending deletion",
            "{'CiphertextBlob':'$ctPending'}",
            pendingDeletion("pending")),
        row(
            "Decrypt",
            "ORDER: empty blob and an unknown KeyId: validation first",
            "{'CiphertextBlob':'','KeyId':'$unknown'}",
            invalid(
                "Value at 'ciphertextBlob' failed to satisfy constraint: Member must have length"
                    + " greater than or equal to 1")),
        row(
            "Decrypt",
            "DryRun",
            "{'CiphertextBlob':'$ct','DryRun':true}",
            error("DryRunOperationException", DRY_RUN)),
        // --- ReEncrypt -------------------------------------------------------------------------
        row(
            "ReEncrypt",
            "to the same key",
            "{'CiphertextBlob':'$ct','DestinationKeyId':'$sym'}",
            ok(
                "CiphertextBlob",
                "SourceKeyId",
                "KeyId",
                "SourceEncryptionAlgorithm",
                "DestinationEncryptionAlgorithm")),
        row(
            "ReEncrypt",
            "without DestinationKeyId",
            "{'CiphertextBlob':'$ct'}",
            missing("destinationKeyId")),
        row(
            "ReEncrypt",
            "unknown destination",
            "{'CiphertextBlob':'$ct','DestinationKeyId':'$unknown'}",
            notFound("unknown")),
        row(
            "ReEncrypt",
            "disabled destination",
            "{'CiphertextBlob':'$ct','DestinationKeyId':'$disabled'}",
            disabled("disabled")),
        row(
            "ReEncrypt",
            "disabled source",
            "{'CiphertextBlob':'$ctDisabled','DestinationKeyId':'$sym'}",
            disabled("disabled")),
        row(
            "ReEncrypt",
            "SourceKeyId of an HMAC key",
            "{'CiphertextBlob':'$ct','SourceKeyId':'$hmac','DestinationKeyId':'$sym'}",
            error("IncorrectKeyException", INCORRECT_KEY)),
        ours(
            "ReEncrypt",
            "destination is a signing key",
            "{'CiphertextBlob':'$ct','DestinationKeyId':'$ecSign'}",
            wrongUsage("ecSign", "SIGN_VERIFY", "ReEncrypt"),
            "the operation name AWS puts in this message for ReEncrypt is not recorded"),
        ours(
            "ReEncrypt",
            "ORDER: disabled source and unknown destination: destination first",
            "{'CiphertextBlob':'$ctDisabled','DestinationKeyId':'$unknown'}",
            notFound("unknown"),
            "AWS's order between the source and the destination key is not documented"),
        // --- GenerateDataKey -------------------------------------------------------------------
        row(
            "GenerateDataKey",
            "AES_256",
            "{'KeyId':'$sym','KeySpec':'AES_256'}",
            ok("CiphertextBlob", "Plaintext", "KeyId", "KeyMaterialId")),
        row("GenerateDataKey", "without KeyId", "{'KeySpec':'AES_256'}", missing("keyId")),
        row(
            "GenerateDataKey",
            "NumberOfBytes 1025",
            "{'KeyId':'$sym','NumberOfBytes':1025}",
            invalid(
                "Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have"
                    + " value less than or equal to 1024")),
        row(
            "GenerateDataKey",
            "unknown key",
            "{'KeyId':'$unknown','KeySpec':'AES_256'}",
            notFound("unknown")),
        row(
            "GenerateDataKey",
            "disabled key",
            "{'KeyId':'$disabled','KeySpec':'AES_256'}",
            disabled("disabled")),
        row(
            "GenerateDataKey",
            "key pending import",
            "{'KeyId':'$external','KeySpec':'AES_256'}",
            pendingImport("external")),
        row(
            "GenerateDataKey",
            "HMAC key",
            "{'KeyId':'$hmac','KeySpec':'AES_256'}",
            wrongUsage("hmac", "GENERATE_VERIFY_MAC", "GenerateDataKey")),
        row(
            "GenerateDataKey",
            "ORDER: NumberOfBytes 0 and an unknown key: validation first",
            "{'KeyId':'$unknown','NumberOfBytes':0}",
            invalid(
                "Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value"
                    + " greater than or equal to 1")),
        row(
            "GenerateDataKeyWithoutPlaintext",
            "AES_128",
            "{'KeyId':'$sym','KeySpec':'AES_128'}",
            ok("CiphertextBlob", "KeyId")),
        row(
            "GenerateDataKeyWithoutPlaintext",
            "without KeyId",
            "{'KeySpec':'AES_256'}",
            missing("keyId")),
        row(
            "GenerateDataKeyWithoutPlaintext",
            "unknown key",
            "{'KeyId':'$unknown','KeySpec':'AES_256'}",
            notFound("unknown")),
        row(
            "GenerateDataKeyWithoutPlaintext",
            "key pending deletion",
            "{'KeyId':'$pending','KeySpec':'AES_256'}",
            pendingDeletion("pending")),
        row(
            "GenerateDataKeyWithoutPlaintext",
            "signing key",
            "{'KeyId':'$ecSign','KeySpec':'AES_256'}",
            wrongUsage("ecSign", "SIGN_VERIFY", "GenerateDataKeyWithoutPlaintext")),
        // --- GenerateDataKeyPair ---------------------------------------------------------------
        row(
            "GenerateDataKeyPair",
            "ECC_NIST_P256",
            "{'KeyId':'$sym','KeyPairSpec':'ECC_NIST_P256'}",
            ok(
                "PrivateKeyCiphertextBlob",
                "PrivateKeyPlaintext",
                "PublicKey",
                "KeyId",
                "KeyPairSpec")),
        row(
            "GenerateDataKeyPair",
            "without KeyPairSpec",
            "{'KeyId':'$sym'}",
            missing("keyPairSpec")),
        row(
            "GenerateDataKeyPair",
            "unknown KeyPairSpec",
            "{'KeyId':'$sym','KeyPairSpec':'RSA_1024'}",
            errorMatching(
                "ValidationException",
                "1 validation error detected: Value 'RSA_1024' at 'keyPairSpec' failed to satisfy"
                    + " constraint: Member must satisfy enum value set: \\[.*RSA_2048.*\\]")),
        row(
            "GenerateDataKeyPair",
            "unknown key",
            "{'KeyId':'$unknown','KeyPairSpec':'ECC_NIST_P256'}",
            notFound("unknown")),
        row(
            "GenerateDataKeyPair",
            "disabled key",
            "{'KeyId':'$disabled','KeyPairSpec':'ECC_NIST_P256'}",
            disabled("disabled")),
        row(
            "GenerateDataKeyPair",
            "HMAC key",
            "{'KeyId':'$hmac','KeyPairSpec':'ECC_NIST_P256'}",
            wrongUsage("hmac", "GENERATE_VERIFY_MAC", "GenerateDataKeyPair")),
        row(
            "GenerateDataKeyPairWithoutPlaintext",
            "ECC_NIST_P256",
            "{'KeyId':'$sym','KeyPairSpec':'ECC_NIST_P256'}",
            ok("PrivateKeyCiphertextBlob", "PublicKey", "KeyId", "KeyPairSpec")),
        row(
            "GenerateDataKeyPairWithoutPlaintext",
            "without KeyId",
            "{'KeyPairSpec':'ECC_NIST_P256'}",
            missing("keyId")),
        row(
            "GenerateDataKeyPairWithoutPlaintext",
            "unknown key",
            "{'KeyId':'$unknown','KeyPairSpec':'ECC_NIST_P256'}",
            notFound("unknown")),
        row(
            "GenerateDataKeyPairWithoutPlaintext",
            "key pending deletion",
            "{'KeyId':'$pending','KeyPairSpec':'ECC_NIST_P256'}",
            pendingDeletion("pending")),
        // --- GenerateMac / VerifyMac -----------------------------------------------------------
        row(
            "GenerateMac",
            "HMAC_SHA_256",
            "{'KeyId':'$hmac','Message':'$b64','MacAlgorithm':'HMAC_SHA_256'}",
            ok("Mac", "MacAlgorithm", "KeyId")),
        row(
            "GenerateMac",
            "unknown MacAlgorithm: AWS's order of the values",
            "{'KeyId':'$hmac','Message':'$b64','MacAlgorithm':'HMAC_MD5'}",
            invalid(
                "Value 'HMAC_MD5' at 'macAlgorithm' failed to satisfy constraint: Member must"
                    + " satisfy enum value set: [HMAC_SHA_384, HMAC_SHA_256, HMAC_SHA_224,"
                    + " HMAC_SHA_512]")),
        row(
            "GenerateMac",
            "unknown key",
            "{'KeyId':'$unknown','Message':'$b64','MacAlgorithm':'HMAC_SHA_256'}",
            notFound("unknown")),
        row(
            "GenerateMac",
            "symmetric encryption key",
            "{'KeyId':'$sym','Message':'$b64','MacAlgorithm':'HMAC_SHA_256'}",
            wrongUsage("sym", "ENCRYPT_DECRYPT", "GenerateMac")),
        row(
            "GenerateMac",
            "algorithm of another spec",
            "{'KeyId':'$hmac','Message':'$b64','MacAlgorithm':'HMAC_SHA_384'}",
            error(
                "InvalidKeyUsageException",
                "Algorithm HMAC_SHA_384 is incompatible with key spec HMAC_256.")),
        row(
            "VerifyMac",
            "the right MAC",
            "{'KeyId':'$hmac','Message':'$b64','MacAlgorithm':'HMAC_SHA_256','Mac':'$mac'}",
            ok("KeyId", "MacValid", "MacAlgorithm")),
        row(
            "VerifyMac",
            "without Mac",
            "{'KeyId':'$hmac','Message':'$b64','MacAlgorithm':'HMAC_SHA_256'}",
            missing("mac")),
        ours(
            "VerifyMac",
            "a wrong MAC",
            "{'KeyId':'$hmac','Message':'$b64','MacAlgorithm':'HMAC_SHA_256','Mac':'$b64'}",
            error("KMSInvalidMacException", ""),
            "AWS's message for a MAC that does not verify is not recorded"),
        row(
            "VerifyMac",
            "unknown key",
            "{'KeyId':'$unknown','Message':'$b64','MacAlgorithm':'HMAC_SHA_256','Mac':'$mac'}",
            notFound("unknown")),
        // --- Sign / Verify ---------------------------------------------------------------------
        row(
            "Sign",
            "ECDSA_SHA_256",
            "{'KeyId':'$ecSign','Message':'$b64','SigningAlgorithm':'ECDSA_SHA_256'}",
            ok("KeyId", "Signature", "SigningAlgorithm")),
        row(
            "Sign",
            "without SigningAlgorithm",
            "{'KeyId':'$ecSign','Message':'$b64'}",
            missing("signingAlgorithm")),
        row(
            "Sign",
            "unknown key",
            "{'KeyId':'$unknown','Message':'$b64','SigningAlgorithm':'ECDSA_SHA_256'}",
            notFound("unknown")),
        row(
            "Sign",
            "disabled key",
            "{'KeyId':'$disabledSign','Message':'$b64','SigningAlgorithm':'ECDSA_SHA_256'}",
            disabled("disabledSign")),
        row(
            "Sign",
            "symmetric encryption key",
            "{'KeyId':'$sym','Message':'$b64','SigningAlgorithm':'ECDSA_SHA_256'}",
            wrongUsage("sym", "ENCRYPT_DECRYPT", "Sign")),
        row(
            "Sign",
            "algorithm of another curve",
            "{'KeyId':'$ecSign','Message':'$b64','SigningAlgorithm':'ECDSA_SHA_384'}",
            error(
                "InvalidKeyUsageException",
                "Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256.")),
        row(
            "Verify",
            "the right signature",
            "{'KeyId':'$ecSign','Message':'$b64','Signature':'$sig','SigningAlgorithm':'ECDSA_SHA_256'}",
            ok("KeyId", "SignatureValid", "SigningAlgorithm")),
        row(
            "Verify",
            "without Signature",
            "{'KeyId':'$ecSign','Message':'$b64','SigningAlgorithm':'ECDSA_SHA_256'}",
            missing("signature")),
        ours(
            "Verify",
            "a wrong signature",
            "{'KeyId':'$ecSign','Message':'$b64','Signature':'$b64','SigningAlgorithm':'ECDSA_SHA_256'}",
            error("KMSInvalidSignatureException", ""),
            "AWS's message for a signature that does not verify is not recorded"),
        row(
            "Verify",
            "unknown key",
            "{'KeyId':'$unknown','Message':'$b64','Signature':'$sig','SigningAlgorithm':'ECDSA_SHA_256'}",
            notFound("unknown")),
        row(
            "Verify",
            "disabled key",
            "{'KeyId':'$disabledSign','Message':'$b64','Signature':'$sig','SigningAlgorithm':'ECDSA_SHA_256'}",
            disabled("disabledSign")),
        // --- DeriveSharedSecret ----------------------------------------------------------------
        row(
            "DeriveSharedSecret",
            "ECDH with a P-256 public key",
            "{'KeyId':'$ecAgree','KeyAgreementAlgorithm':'ECDH','PublicKey':'$agreePub'}",
            ok("KeyId", "SharedSecret", "KeyAgreementAlgorithm", "KeyOrigin")),
        row(
            "DeriveSharedSecret",
            "without PublicKey",
            "{'KeyId':'$ecAgree','KeyAgreementAlgorithm':'ECDH'}",
            missing("publicKey")),
        row(
            "DeriveSharedSecret",
            "a public key that is not one",
            "{'KeyId':'$ecAgree','KeyAgreementAlgorithm':'ECDH','PublicKey':'$b64'}",
            error("ValidationException", "")),
        row(
            "DeriveSharedSecret",
            "unknown key",
            "{'KeyId':'$unknown','KeyAgreementAlgorithm':'ECDH','PublicKey':'$agreePub'}",
            notFound("unknown")),
        row(
            "DeriveSharedSecret",
            "signing key",
            "{'KeyId':'$ecSign','KeyAgreementAlgorithm':'ECDH','PublicKey':'$agreePub'}",
            wrongUsage("ecSign", "SIGN_VERIFY", "DeriveSharedSecret")),
        // --- GenerateRandom / GetPublicKey -----------------------------------------------------
        row("GenerateRandom", "16 bytes", "{'NumberOfBytes':16}", ok("Plaintext")),
        row(
            "GenerateRandom",
            "without NumberOfBytes",
            "{}",
            error("ValidationException", "NumberOfBytes is required.")),
        row(
            "GenerateRandom",
            "NumberOfBytes 1025",
            "{'NumberOfBytes':1025}",
            invalid(
                "Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have"
                    + " value less than or equal to 1024")),
        row(
            "GetPublicKey",
            "signing key",
            "{'KeyId':'$ecSign'}",
            ok("KeyId", "PublicKey", "KeySpec", "KeyUsage", "SigningAlgorithms")),
        row("GetPublicKey", "without KeyId", "{}", missing("keyId")),
        row("GetPublicKey", "unknown key", "{'KeyId':'$unknown'}", notFound("unknown")),
        row("GetPublicKey", "disabled key", "{'KeyId':'$disabledSign'}", disabled("disabledSign")),
        ours(
            "GetPublicKey",
            "symmetric key",
            "{'KeyId':'$sym'}",
            error(
                "UnsupportedOperationException",
                "$sym.arn key spec is SYMMETRIC_DEFAULT which is not valid for GetPublicKey."),
            "AWS's message for GetPublicKey of a symmetric key is not recorded"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void answersAsAws(Case c) {
    FidelityTable.check(FidelityFixture.shared().server(), FidelityFixture.shared(), c);
  }
}
