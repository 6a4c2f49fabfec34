package org.hsmkms.kms;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.hsmkms.store.KeyRecord;

/**
 * Who is asking and where: the account and region the request acts in (key ids and aliases are
 * those of this account and region), the caller's principal ARN and the request id. {@code
 * keysUsed} collects the ARNs of the keys the request resolved, for the audit record; {@code
 * authorization} decides whether the caller may use each key the request resolves.
 */
public record RequestContext(
    String account,
    String region,
    String principal,
    String requestId,
    KeysUsed keysUsed,
    Authorization authorization) {

  /**
   * The context of work the service does on its own behalf (and of service-level tests): {@link
   * Authorization#trusted()}, which checks nothing and sees only this account's keys.
   */
  public RequestContext(String account, String region, String principal, String requestId) {
    this(account, region, principal, requestId, new KeysUsed(), Authorization.trusted());
  }

  /** This context, with the authorization of a client's request. */
  public RequestContext withAuthorization(Authorization newAuthorization) {
    return new RequestContext(account, region, principal, requestId, keysUsed, newAuthorization);
  }

  public String keyArn(String keyId) {
    return "arn:aws:kms:" + region + ":" + account + ":key/" + keyId;
  }

  public String aliasArn(String aliasName) {
    return "arn:aws:kms:" + region + ":" + account + ":" + aliasName;
  }

  /** Notes that this request used (resolved or created) the key {@code keyId} of its account. */
  void used(String keyId) {
    keysUsed.add(keyArn(keyId));
  }

  /** Notes that this request used (resolved) {@code key}, which may be of another account. */
  void used(KeyRecord key) {
    keysUsed.add(key.arn());
  }

  /**
   * The key ARNs a request touched, in the order it touched them. Filled on the worker thread, read
   * when the request is done; thread-safe.
   */
  public static final class KeysUsed {
    private final Set<String> arns = new LinkedHashSet<>();

    synchronized void add(String arn) {
      arns.add(arn);
    }

    public synchronized List<String> arns() {
      return new ArrayList<>(arns);
    }

    /** Runs {@code action} on each ARN, in order, without copying them (the usage tracker). */
    synchronized void forEach(Consumer<String> action) {
      arns.forEach(action);
    }

    @Override
    public synchronized String toString() {
      return arns.toString();
    }
  }
}
