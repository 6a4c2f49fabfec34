package org.hsmkms.kms;

import java.util.List;
import java.util.Optional;
import org.hsmkms.authz.AuthzRequest;
import org.hsmkms.store.KeyRecord;

/**
 * The grants of each key, as authorization reads them on every request: kept in memory per key,
 * loaded from the store on first use and refreshed whenever a grant of that key changes, so that
 * evaluation does no I/O on the hot path.
 *
 * <p>Placeholder until grants are stored: no key has a grant.
 */
public class GrantIndex {
  /**
   * The id of a grant of {@code key} that allows {@code request}: its grantee is the request's
   * principal, its operations include the request's operation, and its constraints fit the
   * request's encryption context. Grants named by {@code grantTokens} count at once.
   *
   * @param grantTokens the request's {@code GrantTokens}, possibly empty
   */
  public Optional<String> allowingGrant(
      KeyRecord key, AuthzRequest request, List<String> grantTokens) {
    return Optional.empty();
  }
}
