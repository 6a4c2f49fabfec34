package org.hsmkms.store.jdbc;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.hsmkms.store.ImportParametersRecord;
import org.hsmkms.store.ImportedMaterialRecord;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MetadataStore;
import org.hsmkms.store.StoreException;

/**
 * The {@link MetadataStore} calls of {@link JdbcMetadataStore} on import parameters and imported
 * key material ({@link ImportRows}): each checks its arguments, names the operation and runs as one
 * transaction on the store's {@link Connections}.
 *
 * <p>Security: operation names carry ids only, never descriptions, policies, tag values or token
 * hashes.
 */
final class ImportTransactions {
  private final Connections connections;

  ImportTransactions(Connections connections) {
    this.connections = connections;
  }

  void insertImportParameters(ImportParametersRecord parameters) {
    Objects.requireNonNull(parameters, "parameters");
    connections.write(
        "insertImportParameters " + parameters.keyId(),
        c -> {
          ImportRows.insertParameters(c, parameters);
          return null;
        });
  }

  Optional<ImportParametersRecord> findImportParameters(String tokenHash) {
    Objects.requireNonNull(tokenHash, "tokenHash");
    return connections.read("findImportParameters", c -> ImportRows.findParameters(c, tokenHash));
  }

  List<ImportParametersRecord> importParametersExpiredBy(Instant now) {
    Objects.requireNonNull(now, "now");
    return connections.read(
        "importParametersExpiredBy", c -> ImportRows.parametersExpiredBy(c, now));
  }

  Set<String> liveWrappingKeyIds() {
    return connections.read("liveWrappingKeyIds", ImportRows::liveWrappingKeyIds);
  }

  void markWrappingKeyDestroyed(String tokenHash) {
    Objects.requireNonNull(tokenHash, "tokenHash");
    connections.write(
        "markWrappingKeyDestroyed",
        c -> {
          ImportRows.markWrappingKeyDestroyed(c, tokenHash);
          return null;
        });
  }

  int deleteImportParametersExpiredBefore(Instant cutoff) {
    Objects.requireNonNull(cutoff, "cutoff");
    return connections.write(
        "deleteImportParametersExpiredBefore",
        c -> ImportRows.deleteParametersExpiredBefore(c, cutoff));
  }

  Optional<ImportedMaterialRecord> findImportedMaterial(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    return connections.read(
        "findImportedMaterial " + keyId, c -> ImportRows.findMaterial(c, keyId));
  }

  void completeImport(ImportedMaterialRecord material, KeyRecord key) {
    Objects.requireNonNull(material, "material");
    Objects.requireNonNull(key, "key");
    if (!material.keyId().equals(key.keyId())) {
      throw new IllegalArgumentException("imported material belongs to a different key");
    }
    String operation = "completeImport " + key.keyId();
    connections.write(
        operation,
        c -> {
          ImportRows.upsertMaterial(c, material);
          if (!KeyRows.update(c, key)) {
            throw new StoreException(operation + " failed: no such key");
          }
          return null;
        });
  }

  List<ImportedMaterialRecord> importedMaterialsExpiredBy(Instant now) {
    Objects.requireNonNull(now, "now");
    return connections.read(
        "importedMaterialsExpiredBy", c -> ImportRows.materialsExpiredBy(c, now));
  }

  int deleteImportedMaterialsOfMissingKeys() {
    return connections.write(
        "deleteImportedMaterialsOfMissingKeys", ImportRows::deleteMaterialsOfMissingKeys);
  }
}
