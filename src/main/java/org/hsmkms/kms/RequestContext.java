package org.hsmkms.kms;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Who is asking and where: the account and region the request acts in (keys of other accounts and
 * regions are invisible), the caller's principal ARN and the request id. {@code keysUsed} collects
 * the ARNs of the keys the request resolved, for the audit record.
 */
public record RequestContext(
    String account, String region, String principal, String requestId, KeysUsed keysUsed) {

  public RequestContext(String account, String region, String principal, String requestId) {
    this(account, region, principal, requestId, new KeysUsed());
  }

  public String keyArn(String keyId) {
    return "arn:aws:kms:" + region + ":" + account + ":key/" + keyId;
  }

  public String aliasArn(String aliasName) {
    return "arn:aws:kms:" + region + ":" + account + ":" + aliasName;
  }

  /** Notes that this request used (resolved or created) the key {@code keyId}. */
  void used(String keyId) {
    keysUsed.add(keyArn(keyId));
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

    @Override
    public synchronized String toString() {
      return arns.toString();
    }
  }
}
