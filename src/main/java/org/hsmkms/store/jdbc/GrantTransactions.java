package org.hsmkms.store.jdbc;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.hsmkms.store.GrantRecord;
import org.hsmkms.store.MetadataStore;
import org.hsmkms.store.StoreException;

/**
 * The {@link MetadataStore} calls of {@link JdbcMetadataStore} on grants and their token hashes
 * ({@link GrantRows}): each checks its arguments, names the operation and runs as one transaction
 * on the store's {@link Connections}.
 *
 * <p>Security: operation names carry ids only, never descriptions, policies, tag values or token
 * hashes.
 */
final class GrantTransactions {
  private final Connections connections;

  GrantTransactions(Connections connections) {
    this.connections = connections;
  }

  /**
   * @throws StoreException if the key does not exist or the grant id or token hash is taken
   */
  void insertGrant(GrantRecord grant, String tokenHash) {
    Objects.requireNonNull(grant, "grant");
    Objects.requireNonNull(tokenHash, "tokenHash");
    connections.write(
        "insertGrant " + grant.grantId(),
        c -> {
          GrantRows.insert(c, grant, tokenHash);
          return null;
        });
  }

  /**
   * @throws StoreException if the grant does not exist or the token hash is taken
   */
  void addGrantToken(String grantId, String tokenHash) {
    Objects.requireNonNull(grantId, "grantId");
    Objects.requireNonNull(tokenHash, "tokenHash");
    connections.write(
        "addGrantToken " + grantId,
        c -> {
          GrantRows.addToken(c, grantId, tokenHash);
          return null;
        });
  }

  Optional<GrantRecord> findGrant(String grantId) {
    Objects.requireNonNull(grantId, "grantId");
    return connections.read("findGrant " + grantId, c -> GrantRows.find(c, grantId));
  }

  Optional<GrantRecord> findGrantByToken(String tokenHash) {
    Objects.requireNonNull(tokenHash, "tokenHash");
    // The hash is not named in the message: it identifies a bearer token.
    return connections.read("findGrantByToken", c -> GrantRows.findByToken(c, tokenHash));
  }

  List<GrantRecord> grantsOfKey(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    return connections.read("grantsOfKey " + keyId, c -> GrantRows.ofKey(c, keyId));
  }

  List<GrantRecord> grantsByRetiringPrincipal(
      String region, String retiringPrincipal, String afterGrantId, int limit) {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(retiringPrincipal, "retiringPrincipal");
    Jdbc.requirePositive(limit);
    return connections.read(
        "grantsByRetiringPrincipal",
        c -> GrantRows.byRetiringPrincipal(c, region, retiringPrincipal, afterGrantId, limit));
  }

  boolean deleteGrant(String grantId) {
    Objects.requireNonNull(grantId, "grantId");
    return connections.write("deleteGrant " + grantId, c -> GrantRows.delete(c, grantId));
  }
}
