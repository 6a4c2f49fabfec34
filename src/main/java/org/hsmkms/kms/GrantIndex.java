package org.hsmkms.kms;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hsmkms.authz.AuthzRequest;
import org.hsmkms.store.GrantRecord;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MetadataStore;

/**
 * The grants of each key, as authorization reads them on every request. The grants come from the
 * store's per-key list, which the caching store keeps in memory and forgets whenever a grant
 * changes, so that evaluation does no I/O on the hot path once a key's grants have been read.
 *
 * <p>A grant allows a request when its grantee principal is the request's principal, its operations
 * include the request's action ({@code kms:Decrypt} needs {@code Decrypt}), and its encryption
 * context constraints fit the request's encryption context. A constraint applies only to the
 * operations that take an encryption context (GrantConstraints); a constrained grant never allows
 * CreateGrant, since AWS allows it only for grants "equally strict or stricter", which this request
 * does not show.
 *
 * <p>Security: grants only ever allow, never deny. A grant token in the request adds the grant it
 * names (of this key) to the candidates, so a grant is usable with its token even if the list read
 * before its creation were still in use; a token never allows more than its grant.
 */
public class GrantIndex {
  private static final String ACTION_PREFIX = "kms:";

  private final MetadataStore store;

  public GrantIndex(MetadataStore store) {
    this.store = store;
  }

  /**
   * The id of a grant of {@code key} that allows {@code request}: its grantee is the request's
   * principal, its operations include the request's operation, and its constraints fit the
   * request's encryption context. Grants named by {@code grantTokens} count at once.
   *
   * @param grantTokens the request's {@code GrantTokens}, possibly empty
   */
  public Optional<String> allowingGrant(
      KeyRecord key, AuthzRequest request, List<String> grantTokens) {
    if (!request.action().startsWith(ACTION_PREFIX)) {
      return Optional.empty();
    }
    String operation = request.action().substring(ACTION_PREFIX.length());
    if (!GrantRules.OPERATIONS.contains(operation)) {
      return Optional.empty();
    }
    Map<String, String> context = null;
    for (GrantRecord grant : candidates(key, grantTokens)) {
      if (!grant.granteePrincipal().equals(request.principalArn())
          || !grant.operations().contains(operation)) {
        continue;
      }
      if (grant.constrained()) {
        if (operation.equals("CreateGrant")) {
          continue;
        }
        if (GrantRules.CONTEXT_OPERATIONS.contains(operation)) {
          context = context == null ? request.encryptionContext() : context;
          if (!GrantConstraints.of(grant).allows(context)) {
            continue;
          }
        }
      }
      return Optional.of(grant.grantId());
    }
    return Optional.empty();
  }

  private List<GrantRecord> candidates(KeyRecord key, List<String> grantTokens) {
    List<GrantRecord> grants = store.grantsOfKey(key.keyId());
    if (grantTokens == null || grantTokens.isEmpty()) {
      return grants;
    }
    List<GrantRecord> withTokens = null;
    for (String token : grantTokens) {
      if (!GrantTokens.wellFormed(token)) {
        continue;
      }
      Optional<GrantRecord> named = store.findGrantByToken(GrantTokens.hash(token));
      if (named.isPresent()
          && named.get().keyId().equals(key.keyId())
          && grants.stream().noneMatch(g -> g.grantId().equals(named.get().grantId()))) {
        withTokens = withTokens == null ? new ArrayList<>(grants) : withTokens;
        withTokens.add(named.get());
      }
    }
    return withTokens == null ? grants : withTokens;
  }
}
