package org.hsmkms.store.jdbc;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.hsmkms.store.AliasRecord;
import org.hsmkms.store.MetadataStore;
import org.hsmkms.store.StoreException;

/**
 * The {@link MetadataStore} calls of {@link JdbcMetadataStore} on aliases ({@link AliasRows}): each
 * checks its arguments, names the operation and runs as one transaction on the store's {@link
 * Connections}.
 *
 * <p>Security: operation names carry ids only, never descriptions, policies, tag values or token
 * hashes.
 */
final class AliasTransactions {
  private final Connections connections;

  AliasTransactions(Connections connections) {
    this.connections = connections;
  }

  /**
   * @throws StoreException if the target key does not exist
   */
  boolean insertAlias(AliasRecord alias) {
    AliasRows.requireComplete(alias);
    return connections.write("insertAlias " + alias.aliasName(), c -> AliasRows.insert(c, alias));
  }

  Optional<AliasRecord> findAlias(String account, String region, String aliasName) {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(aliasName, "aliasName");
    return connections.read(
        "findAlias " + aliasName, c -> AliasRows.find(c, account, region, aliasName));
  }

  /**
   * Writes the target key id and last-updated date; the creation date is kept.
   *
   * @throws StoreException if the new target key does not exist
   */
  boolean updateAlias(AliasRecord alias) {
    AliasRows.requireComplete(alias);
    return connections.write("updateAlias " + alias.aliasName(), c -> AliasRows.update(c, alias));
  }

  boolean deleteAlias(String account, String region, String aliasName) {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(aliasName, "aliasName");
    return connections.write(
        "deleteAlias " + aliasName, c -> AliasRows.delete(c, account, region, aliasName));
  }

  List<AliasRecord> listAliases(
      String account, String region, String keyId, String afterAliasName, int limit) {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(region, "region");
    Jdbc.requirePositive(limit);
    return connections.read(
        keyId == null ? "listAliases" : "listAliases " + keyId,
        c -> AliasRows.list(c, account, region, keyId, afterAliasName, limit));
  }
}
