package org.hsmkms.cli;

import org.hsmkms.config.Quotas;

/**
 * The request quota flags of {@code dev}, a contract the bench's scenarios use: {@code
 * --quota-scale X} ({@code quotas.scale}), {@code --quota ACCOUNT:CLASS=RATE}, repeatable ({@code
 * quotas.accounts.ACCOUNT.CLASS: RATE}; a class may itself hold a colon, as {@code
 * GenerateDataKeyPair:RSA_4096}), {@code --no-quotas} ({@code quotas.enabled: false}), and {@code
 * --throttled-delay-millis N} ({@code quotas.throttledAnswerDelayMillis}).
 *
 * <p>A dev server enforces request quotas only when one of the first two is given: all its traffic
 * is one developer's, whose test suites (bulk CreateKey, hostile-input runs) AWS's management rates
 * of a few a second would turn into throttling retries. Its work classes still refuse what they
 * have no room for, and the resource quotas (keys, aliases, grants, tags, policy size) always hold.
 * {@code serve} enforces AWS's rates unless its configuration says otherwise.
 */
final class QuotaFlags {
  private Quotas quotas = Quotas.defaults();
  private boolean asked;
  private boolean off;

  /** Reads {@code option} if it is one of these flags; false if it is not. */
  boolean read(String option, CommandLine options) {
    switch (option) {
      case "--quota-scale" -> {
        quotas = quotas.withScale(number(option, options.value(option)));
        asked = true;
      }
      case "--quota" -> {
        quotas = rate(quotas, options.value(option));
        asked = true;
      }
      case "--no-quotas" -> off = true;
      case "--throttled-delay-millis" ->
          quotas = quotas.withThrottledAnswerDelay((int) number(option, options.value(option)));
      default -> {
        return false;
      }
    }
    return true;
  }

  /** The quotas the flags ask for; request quotas off unless a rate or a scale was given. */
  Quotas quotas() {
    return quotas.withEnabled(asked && !off);
  }

  /** {@code ACCOUNT:CLASS=RATE}: the account before the first colon, the rate after the last =. */
  static Quotas rate(Quotas quotas, String value) {
    int colon = value.indexOf(':');
    int equals = value.lastIndexOf('=');
    if (colon < 1 || equals < colon + 2 || equals == value.length() - 1) {
      throw new IllegalArgumentException(
          "--quota takes ACCOUNT:CLASS=RATE (e.g. 111122223333:symmetric=2000), not " + value);
    }
    return quotas.withRate(
        value.substring(0, colon),
        value.substring(colon + 1, equals),
        number("--quota", value.substring(equals + 1)));
  }

  private static double number(String option, String value) {
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " takes a number, not " + value);
    }
  }
}
