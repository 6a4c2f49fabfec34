package org.hsmkms.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import org.hsmkms.kms.KeyMaterialImport;
import org.hsmkms.kms.RequestContext;

/**
 * Handlers for imported key material: GetParametersForImport, ImportKeyMaterial and
 * DeleteImportedKeyMaterial. One small handler each, as in {@link KmsApi}.
 */
final class ImportApi {
  private final KeyMaterialImport imports;

  ImportApi(KeyMaterialImport imports) {
    this.imports = imports;
  }

  void registerInto(Map<String, KmsApi.Operation> operations) {
    operations.put("GetParametersForImport", this::getParametersForImport);
    operations.put("ImportKeyMaterial", this::importKeyMaterial);
    operations.put(
        "DeleteImportedKeyMaterial",
        (c, r) ->
            reply(
                imports.deleteImportedKeyMaterial(
                    c, Json.text(r, "KeyId"), Json.text(r, "KeyMaterialId"))));
  }

  private Reply getParametersForImport(RequestContext ctx, JsonNode r) {
    KeyMaterialImport.ImportParameters p =
        imports.getParametersForImport(
            ctx,
            Json.text(r, "KeyId"),
            Json.text(r, "WrappingAlgorithm"),
            Json.text(r, "WrappingKeySpec"));
    return new Reply(
        Json.object()
            .put("KeyId", p.keyArn())
            .put("ImportToken", p.importToken())
            .put("PublicKey", p.publicKey())
            .put("ParametersValidTo", Json.epochSeconds(p.parametersValidTo())));
  }

  private Reply importKeyMaterial(RequestContext ctx, JsonNode r) {
    KeyMaterialImport.Imported imported =
        imports.importKeyMaterial(
            ctx,
            new KeyMaterialImport.ImportRequest(
                Json.text(r, "KeyId"),
                Json.blob(r, "ImportToken"),
                Json.blob(r, "EncryptedKeyMaterial"),
                instant(r.get("ValidTo")),
                Json.text(r, "ExpirationModel"),
                Json.text(r, "ImportType"),
                Json.text(r, "KeyMaterialDescription"),
                Json.text(r, "KeyMaterialId")));
    return reply(imported);
  }

  private static Reply reply(KeyMaterialImport.Imported imported) {
    return new Reply(
        Json.object()
            .put("KeyId", imported.keyArn())
            .put("KeyMaterialId", imported.keyMaterialId()));
  }

  /** A JSON 1.1 timestamp: epoch seconds, possibly with a fraction. */
  private static Instant instant(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    BigDecimal millis = n.decimalValue().movePointRight(3);
    return Instant.ofEpochMilli(millis.longValue());
  }
}
