package org.hsmkms.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.Map;
import org.hsmkms.kms.CryptoOperations;
import org.hsmkms.kms.ManagementErrors;
import org.hsmkms.kms.NotSupportedErrors;
import org.hsmkms.kms.RequestContext;
import org.hsmkms.kms.ValidationErrors;

/**
 * Handlers for the symmetric data plane: Encrypt, Decrypt, ReEncrypt, GenerateDataKey,
 * GenerateDataKeyWithoutPlaintext and GenerateRandom. One small handler each, as in {@link KmsApi};
 * a plaintext in an answer is a secret of the {@link Reply}, zeroed once it is written.
 */
final class CryptoApi {
  private final CryptoOperations crypto;

  CryptoApi(CryptoOperations crypto) {
    this.crypto = crypto;
  }

  void registerInto(Map<String, KmsApi.Operation> operations) {
    operations.put("Encrypt", this::encrypt);
    operations.put("Decrypt", this::decrypt);
    operations.put("ReEncrypt", this::reEncrypt);
    operations.put("GenerateDataKey", (c, r) -> generateDataKey(c, r, true));
    operations.put("GenerateDataKeyWithoutPlaintext", (c, r) -> generateDataKey(c, r, false));
    operations.put("GenerateRandom", this::generateRandom);
  }

  private Reply encrypt(RequestContext ctx, JsonNode r) {
    byte[] plaintext = Json.blob(r, "Plaintext");
    try {
      CryptoOperations.Encrypted e =
          crypto.encrypt(
              ctx,
              Json.text(r, "KeyId"),
              plaintext,
              Json.context(r, "EncryptionContext"),
              Json.text(r, "EncryptionAlgorithm"),
              Json.flag(r, "DryRun"));
      return new Reply(
          Json.object()
              .put("CiphertextBlob", e.ciphertextBlob())
              .put("KeyId", e.keyArn())
              .put("EncryptionAlgorithm", e.algorithm()));
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  private Reply decrypt(RequestContext ctx, JsonNode r) {
    rejectRecipient(r);
    CryptoOperations.Decrypted d =
        crypto.decrypt(
            ctx,
            Json.blob(r, "CiphertextBlob"),
            Json.context(r, "EncryptionContext"),
            Json.text(r, "KeyId"),
            Json.text(r, "EncryptionAlgorithm"),
            Json.flag(r, "DryRun"),
            ignoresCiphertext(r));
    ObjectNode out =
        Json.object().put("KeyId", d.keyArn()).put("EncryptionAlgorithm", d.algorithm());
    KmsApi.putIfPresent(out, "KeyMaterialId", d.keyMaterialId());
    return new Reply(out).putSecret("Plaintext", d.plaintext());
  }

  private Reply reEncrypt(RequestContext ctx, JsonNode r) {
    CryptoOperations.ReEncrypted re =
        crypto.reEncrypt(
            ctx,
            Json.blob(r, "CiphertextBlob"),
            Json.context(r, "SourceEncryptionContext"),
            Json.text(r, "SourceKeyId"),
            Json.text(r, "SourceEncryptionAlgorithm"),
            Json.text(r, "DestinationKeyId"),
            Json.context(r, "DestinationEncryptionContext"),
            Json.text(r, "DestinationEncryptionAlgorithm"),
            Json.flag(r, "DryRun"),
            ignoresCiphertext(r));
    ObjectNode out =
        Json.object()
            .put("CiphertextBlob", re.ciphertextBlob())
            .put("SourceKeyId", re.sourceKeyArn())
            .put("KeyId", re.keyArn())
            .put("SourceEncryptionAlgorithm", re.sourceAlgorithm())
            .put("DestinationEncryptionAlgorithm", re.destinationAlgorithm());
    KmsApi.putIfPresent(out, "SourceKeyMaterialId", re.sourceKeyMaterialId());
    KmsApi.putIfPresent(out, "DestinationKeyMaterialId", re.destinationKeyMaterialId());
    return new Reply(out);
  }

  private Reply generateDataKey(RequestContext ctx, JsonNode r, boolean withPlaintext) {
    rejectRecipient(r);
    CryptoOperations.DataKey dk =
        crypto.generateDataKey(
            ctx,
            Json.text(r, "KeyId"),
            Json.text(r, "KeySpec"),
            Json.integer(r, "NumberOfBytes"),
            Json.context(r, "EncryptionContext"),
            withPlaintext,
            Json.flag(r, "DryRun"));
    ObjectNode out =
        Json.object().put("CiphertextBlob", dk.ciphertextBlob()).put("KeyId", dk.keyArn());
    KmsApi.putIfPresent(out, "KeyMaterialId", dk.keyMaterialId());
    Reply reply = new Reply(out);
    return withPlaintext ? reply.putSecret("Plaintext", dk.plaintext()) : reply;
  }

  private Reply generateRandom(RequestContext ctx, JsonNode r) {
    rejectRecipient(r);
    if (Json.text(r, "CustomKeyStoreId") != null) {
      throw ManagementErrors.customKeyStoreNotFound(Json.text(r, "CustomKeyStoreId"));
    }
    Integer n = Json.integer(r, "NumberOfBytes");
    if (n == null) {
      // GenerateRandom without NumberOfBytes, as AWS answers it (the model has it optional).
      throw ValidationErrors.numberOfBytesRequired();
    }
    return Reply.empty().putSecret("Plaintext", crypto.generateRandom(n));
  }

  private static boolean ignoresCiphertext(JsonNode r) {
    return Json.strings(r, "DryRunModifiers").contains("IGNORE_CIPHERTEXT");
  }

  static void rejectRecipient(JsonNode r) {
    // Recipient asks for a Nitro Enclaves attestation flow, which an on-prem HSM cannot serve.
    if (r.hasNonNull("Recipient")) {
      throw NotSupportedErrors.recipient();
    }
  }
}
