package org.hsmkms.authz;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/** Principal names in policies: the account root and the forms a {@code Principal} may take. */
final class Principals {
  /** Stands for "everyone" in a principal set. */
  static final String ANYONE = "*";

  private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");
  private static final Pattern PRINCIPAL_ARN =
      Pattern.compile("arn:aws[a-z-]*:(iam|sts)::\\d{12}:[^\\s*]+");
  private static final Pattern SERVICE = Pattern.compile("[a-z0-9.-]+\\.amazonaws\\.com(\\.cn)?");

  private Principals() {}

  /** The ARN that names an account as a principal. */
  static String rootOf(String account) {
    return "arn:aws:iam::" + account + ":root";
  }

  /** The accounts whose root ARN is among the principals. */
  static Set<String> rootAccounts(Set<String> principals) {
    Set<String> accounts = new HashSet<>();
    for (String principal : principals) {
      if (principal.startsWith("arn:aws:iam::") && principal.endsWith(":root")) {
        accounts.add(principal.substring(13, principal.length() - 5));
      }
    }
    return Set.copyOf(accounts);
  }

  /**
   * The canonical form of one {@code "AWS"} principal value: {@code *}, a principal ARN, or an
   * account id (which means the account's root), or null when it is none of them.
   */
  static String aws(String value) {
    if (ANYONE.equals(value)) {
      return ANYONE;
    }
    if (ACCOUNT_ID.matcher(value).matches()) {
      return rootOf(value);
    }
    return PRINCIPAL_ARN.matcher(value).matches() ? value : null;
  }

  /**
   * A {@code "Service"} principal (e.g. {@code cloudtrail.amazonaws.com}), kept so that AWS's own
   * policies parse; no caller of this service is an AWS service, so it never matches. Null when the
   * value is no service name.
   */
  static String service(String value) {
    return SERVICE.matcher(value).matches() ? "service:" + value : null;
  }
}
