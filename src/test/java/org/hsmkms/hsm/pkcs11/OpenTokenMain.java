package org.hsmkms.hsm.pkcs11;

/**
 * Opens a token as the service does at start-up, in a JVM of its own (a test gives it an
 * environment, such as the address of a {@code p11-kit server}), and prints on stdout which layer
 * does AES-GCM ({@code layer=jdk|iaik}) or the message that stopped start-up ({@code failed=...}).
 *
 * <p>Arguments: module path, token label, user PIN.
 */
public final class OpenTokenMain {
  private OpenTokenMain() {}

  public static void main(String[] args) {
    Pkcs11Settings settings = new Pkcs11Settings(args[0], args[1], args[2].toCharArray(), 4, 5000);
    try (Pkcs11Hsm hsm = Pkcs11Hsm.open(settings)) {
      System.out.println("layer=" + hsm.diagnostics().aesGcmLayer());
    } catch (RuntimeException e) {
      System.out.println("failed=" + e.getMessage());
      System.exit(2);
    }
  }
}
