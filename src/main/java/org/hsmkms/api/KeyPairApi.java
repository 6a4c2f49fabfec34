package org.hsmkms.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.Map;
import org.hsmkms.kms.AsymmetricOperations;
import org.hsmkms.kms.DataKeyPairs;
import org.hsmkms.kms.KeyPairServices;
import org.hsmkms.kms.MacOperations;
import org.hsmkms.kms.RequestContext;

/**
 * Handlers for the operations of asymmetric and HMAC keys and of data key pairs: GetPublicKey,
 * Sign, Verify, DeriveSharedSecret, GenerateMac, VerifyMac, GenerateDataKeyPair and
 * GenerateDataKeyPairWithoutPlaintext. One small handler each, as in {@link KmsApi}.
 */
final class KeyPairApi {
  private final AsymmetricOperations asymmetric;
  private final MacOperations macs;
  private final DataKeyPairs dataKeyPairs;

  KeyPairApi(KeyPairServices services) {
    this.asymmetric = services.asymmetric();
    this.macs = services.macs();
    this.dataKeyPairs = services.dataKeyPairs();
  }

  void registerInto(Map<String, KmsApi.Operation> operations) {
    operations.put("GetPublicKey", this::getPublicKey);
    operations.put("Sign", this::sign);
    operations.put("Verify", this::verify);
    operations.put("DeriveSharedSecret", this::deriveSharedSecret);
    operations.put("GenerateMac", this::generateMac);
    operations.put("VerifyMac", this::verifyMac);
    operations.put("GenerateDataKeyPair", (c, r) -> generateDataKeyPair(c, r, true));
    operations.put(
        "GenerateDataKeyPairWithoutPlaintext", (c, r) -> generateDataKeyPair(c, r, false));
  }

  private Reply getPublicKey(RequestContext ctx, JsonNode r) {
    AsymmetricOperations.PublicKeyInfo p = asymmetric.getPublicKey(ctx, Json.text(r, "KeyId"));
    ObjectNode out =
        Json.object()
            .put("KeyId", p.keyArn())
            .put("PublicKey", p.publicKey())
            .put("CustomerMasterKeySpec", p.keySpec().name())
            .put("KeySpec", p.keySpec().name())
            .put("KeyUsage", p.keyUsage());
    KmsApi.putList(out, "EncryptionAlgorithms", p.encryptionAlgorithms());
    KmsApi.putList(out, "SigningAlgorithms", p.signingAlgorithms());
    KmsApi.putList(out, "KeyAgreementAlgorithms", p.keyAgreementAlgorithms());
    return new Reply(out);
  }

  private Reply sign(RequestContext ctx, JsonNode r) {
    byte[] message = Json.blob(r, "Message");
    try {
      AsymmetricOperations.Signature s =
          asymmetric.sign(
              ctx,
              Json.text(r, "KeyId"),
              message,
              Json.text(r, "MessageType"),
              Json.text(r, "SigningAlgorithm"),
              Json.flag(r, "DryRun"));
      return new Reply(
          Json.object()
              .put("KeyId", s.keyArn())
              .put("Signature", s.signature())
              .put("SigningAlgorithm", s.signingAlgorithm()));
    } finally {
      Arrays.fill(message, (byte) 0);
    }
  }

  private Reply verify(RequestContext ctx, JsonNode r) {
    byte[] message = Json.blob(r, "Message");
    try {
      String arn =
          asymmetric.verify(
              ctx,
              Json.text(r, "KeyId"),
              message,
              Json.text(r, "MessageType"),
              Json.blob(r, "Signature"),
              Json.text(r, "SigningAlgorithm"),
              Json.flag(r, "DryRun"));
      return new Reply(
          Json.object()
              .put("KeyId", arn)
              .put("SignatureValid", true)
              .put("SigningAlgorithm", Json.text(r, "SigningAlgorithm")));
    } finally {
      Arrays.fill(message, (byte) 0);
    }
  }

  private Reply deriveSharedSecret(RequestContext ctx, JsonNode r) {
    CryptoApi.rejectRecipient(r);
    AsymmetricOperations.SharedSecret s =
        asymmetric.deriveSharedSecret(
            ctx,
            Json.text(r, "KeyId"),
            Json.text(r, "KeyAgreementAlgorithm"),
            Json.blob(r, "PublicKey"),
            Json.flag(r, "DryRun"));
    Reply reply =
        new Reply(
            Json.object()
                .put("KeyId", s.keyArn())
                .put("KeyAgreementAlgorithm", Json.text(r, "KeyAgreementAlgorithm"))
                .put("KeyOrigin", "AWS_KMS"));
    return reply.putSecret("SharedSecret", s.secret());
  }

  private Reply generateMac(RequestContext ctx, JsonNode r) {
    byte[] message = Json.blob(r, "Message");
    try {
      MacOperations.Mac m =
          macs.generateMac(
              ctx,
              Json.text(r, "KeyId"),
              message,
              Json.text(r, "MacAlgorithm"),
              Json.flag(r, "DryRun"));
      return new Reply(
          Json.object()
              .put("Mac", m.mac())
              .put("MacAlgorithm", m.macAlgorithm())
              .put("KeyId", m.keyArn()));
    } finally {
      Arrays.fill(message, (byte) 0);
    }
  }

  private Reply verifyMac(RequestContext ctx, JsonNode r) {
    byte[] message = Json.blob(r, "Message");
    try {
      String arn =
          macs.verifyMac(
              ctx,
              Json.text(r, "KeyId"),
              message,
              Json.text(r, "MacAlgorithm"),
              Json.blob(r, "Mac"),
              Json.flag(r, "DryRun"));
      return new Reply(
          Json.object()
              .put("KeyId", arn)
              .put("MacValid", true)
              .put("MacAlgorithm", Json.text(r, "MacAlgorithm")));
    } finally {
      Arrays.fill(message, (byte) 0);
    }
  }

  private Reply generateDataKeyPair(RequestContext ctx, JsonNode r, boolean withPlaintext) {
    CryptoApi.rejectRecipient(r);
    DataKeyPairs.DataKeyPair p =
        dataKeyPairs.generateDataKeyPair(
            ctx,
            Json.text(r, "KeyId"),
            Json.text(r, "KeyPairSpec"),
            Json.context(r, "EncryptionContext"),
            withPlaintext,
            Json.flag(r, "DryRun"));
    Reply reply =
        new Reply(
            Json.object()
                .put("PrivateKeyCiphertextBlob", p.privateKeyCiphertextBlob())
                .put("PublicKey", p.publicKey())
                .put("KeyId", p.keyArn())
                .put("KeyPairSpec", p.keyPairSpec())
                .put("KeyMaterialId", p.keyMaterialId()));
    return withPlaintext ? reply.putSecret("PrivateKeyPlaintext", p.privateKeyPlaintext()) : reply;
  }
}
