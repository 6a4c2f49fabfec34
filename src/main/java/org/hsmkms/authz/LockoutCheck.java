package org.hsmkms.authz;

import java.util.List;
import java.util.Map;

/**
 * AWS's policy lockout safety check: PutKeyPolicy and CreateKey refuse a key policy that would stop
 * the caller from changing the policy later, unless {@code BypassPolicyLockoutSafetyCheck} is true.
 *
 * <p>The policy must allow {@code kms:PutKeyPolicy} to the caller's ARN or to its account's root
 * (from where the caller's identity policy can give it), and must not explicitly deny it to the
 * caller. The statements' Resource is not checked: in a key policy it can only mean this key, and
 * the key's ARN may not exist yet. Conditions see the caller's {@code aws:PrincipalArn}, {@code
 * aws:PrincipalAccount} and {@code kms:CallerAccount}; other keys are absent.
 */
public final class LockoutCheck {
  private static final String PUT_KEY_POLICY = "kms:PutKeyPolicy";

  private LockoutCheck() {}

  /**
   * Whether the policy would lock the caller out of changing it, when the caller's identity policy
   * is not known: the account root's way counts as open.
   */
  public static boolean wouldLockOut(
      PolicyDocument policy, String callerPrincipalArn, String callerAccount) {
    return wouldLockOut(policy, callerPrincipalArn, callerAccount, null, false);
  }

  /**
   * Whether the policy would lock the caller out of changing it, with the caller's whole
   * permissions: through its account's root the policy opens the way only if the caller's identity
   * policy allows kms:PutKeyPolicy too (and denies it nowhere).
   *
   * @param identityPolicy the caller's identity policy; null when it has none
   */
  public static boolean wouldLockOut(
      PolicyDocument policy,
      String callerPrincipalArn,
      String callerAccount,
      PolicyDocument identityPolicy) {
    return wouldLockOut(policy, callerPrincipalArn, callerAccount, identityPolicy, true);
  }

  private static boolean wouldLockOut(
      PolicyDocument policy,
      String callerPrincipalArn,
      String callerAccount,
      PolicyDocument identityPolicy,
      boolean identityKnown) {
    AuthzRequest request =
        new AuthzRequest(
            callerPrincipalArn,
            callerAccount,
            PUT_KEY_POLICY,
            AuthzRequest.ACCOUNT_LEVEL,
            Map.of(
                "aws:PrincipalArn", List.of(callerPrincipalArn),
                "aws:PrincipalAccount", List.of(callerAccount),
                "kms:CallerAccount", List.of(callerAccount)));
    Decision byArn = policy.evaluate(request, callerPrincipalArn, false);
    if (byArn.isExplicitDeny()) {
      return true;
    }
    if (byArn.isAllow()) {
      return false;
    }
    if (!policy.evaluate(request, Principals.rootOf(callerAccount), false).isAllow()) {
      return true;
    }
    if (!identityKnown) {
      return false;
    }
    // The statements' Resource may name the key's ARN, which CreateKey has not made yet.
    return identityPolicy == null
        || !identityPolicy.evaluate(request, callerPrincipalArn, false).isAllow();
  }
}
