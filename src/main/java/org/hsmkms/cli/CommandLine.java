package org.hsmkms.cli;

/**
 * The arguments of one command, read in order as {@code --name value} options. Every command reads
 * its options through this class, so that a missing value reads the same everywhere.
 */
final class CommandLine {
  /**
   * Where an access key may come from instead of the command line (which {@code ps} shows to every
   * user of the machine).
   */
  static final String ENV_ACCESS_KEY_ID = "HSM_KMS_ACCESS_KEY_ID";

  static final String ENV_SECRET_ACCESS_KEY = "HSM_KMS_SECRET_ACCESS_KEY";

  private final String[] args;
  private int next;

  /**
   * @param first the index of the first option (after the command's own words)
   */
  CommandLine(String[] args, int first) {
    this.args = args;
    this.next = first;
  }

  boolean hasNext() {
    return next < args.length;
  }

  /** The next argument: an option's name. */
  String next() {
    return args[next++];
  }

  /** The value of {@code option}, which is the next argument. */
  String value(String option) {
    if (next >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[next++];
  }

  /** The value of {@code option} as a number. */
  int intValue(String option) {
    return Integer.parseInt(value(option));
  }

  /** Skips the value of an option this command does not know, if one follows. */
  void skipValueOf(String option) {
    if (option.startsWith("--") && next < args.length && !args[next].startsWith("--")) {
      next++;
    }
  }

  /** True when the variable is set to something. */
  static boolean notEmpty(String s) {
    return s != null && !s.isEmpty();
  }
}
