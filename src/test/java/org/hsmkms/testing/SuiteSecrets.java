package org.hsmkms.testing;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every secret the suite has seen: the fixed test secrets and PINs, plus each plaintext (data keys,
 * decrypted data, random bytes) that passed through {@link TestServer#client()} or {@link
 * TestServer#post}. The log scan runs last and looks for all of them in what the suite wrote to
 * disk.
 */
public final class SuiteSecrets {
  /** Shorter plaintexts are skipped: their encodings could turn up by chance. */
  private static final int MIN_BYTES = 8;

  private static final Set<String> NEEDLES = new LinkedHashSet<>();

  static {
    NEEDLES.add(TestServer.SECRET_ACCESS_KEY);
    NEEDLES.add(TestServer.OTHER_SECRET_ACCESS_KEY);
    NEEDLES.add(TestToken.PIN);
    NEEDLES.add(TestToken.SO_PIN);
  }

  private SuiteSecrets() {}

  /** Records a secret string (a generated secret access key, a PIN). */
  public static synchronized void secret(String s) {
    if (s != null && s.length() >= MIN_BYTES) {
      NEEDLES.add(s);
    }
  }

  /** Records plaintext bytes, to be looked for in base64 and hex. */
  public static synchronized void plaintext(byte[] bytes) {
    if (bytes != null && bytes.length >= MIN_BYTES) {
      NEEDLES.add(Base64.getEncoder().encodeToString(bytes));
      NEEDLES.add(HexFormat.of().formatHex(bytes));
    }
  }

  public static synchronized List<String> all() {
    return new ArrayList<>(NEEDLES);
  }
}
