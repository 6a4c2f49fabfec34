package org.hsmkms.bench;

import java.io.IOException;
import org.hsmkms.hsm.HsmException;

/**
 * The bench jar's command line ({@code java -jar bench/target/hsm-kms-bench.jar [options]}, which
 * {@code ./hsm-kms bench} runs): a {@link Bench} run whose HSM ceiling is measured on the token
 * {@link CeilingToken} opens. A wrong option or a token that cannot be opened ends it with exit
 * code 2 and one line on stderr.
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) {
    int status;
    try {
      status = Bench.main(args, CeilingToken::open);
    } catch (IllegalArgumentException | IOException | HsmException e) {
      System.err.println("hsm-kms: " + e.getMessage());
      status = 2;
    }
    System.exit(status);
  }
}
