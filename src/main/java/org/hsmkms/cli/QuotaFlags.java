package org.hsmkms.cli;

import org.hsmkms.config.Quotas;

/**
 * The request quota flags of {@code dev}, a contract the bench's scenarios use: {@code
 * --quota-scale X} ({@code quotas.scale}), {@code --quota ACCOUNT:CLASS=RATE}, repeatable ({@code
 * quotas.accounts.ACCOUNT.CLASS: RATE}; a class may itself hold a colon, as {@code
 * GenerateDataKeyPair:RSA_4096}), and {@code --no-quotas} ({@code quotas.enabled: false}).
 */
final class QuotaFlags {
  private Quotas quotas = Quotas.defaults();

  /** Reads {@code option} if it is one of these flags; false if it is not. */
  boolean read(String option, CommandLine options) {
    switch (option) {
      case "--quota-scale" -> quotas = quotas.withScale(number(option, options.value(option)));
      case "--quota" -> quotas = rate(quotas, options.value(option));
      case "--no-quotas" -> quotas = quotas.withEnabled(false);
      default -> {
        return false;
      }
    }
    return true;
  }

  Quotas quotas() {
    return quotas;
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
