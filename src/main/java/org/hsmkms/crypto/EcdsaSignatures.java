package org.hsmkms.crypto;

import java.util.Arrays;
import java.util.Optional;

/**
 * Converts ECDSA signatures between the PKCS#11 form ({@code r || s}, each the size of the curve
 * order) and the DER {@code Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }} (RFC 3279) that
 * AWS KMS returns and that the JDK and OpenSSL expect.
 */
public final class EcdsaSignatures {
  private EcdsaSignatures() {}

  /** DER from {@code r || s}. */
  public static byte[] toDer(byte[] rs) {
    if (rs.length == 0 || rs.length % 2 != 0) {
      throw new IllegalArgumentException("r || s must have even length");
    }
    int half = rs.length / 2;
    return Der.sequence(
            Der.unsignedInteger(Arrays.copyOfRange(rs, 0, half)),
            Der.unsignedInteger(Arrays.copyOfRange(rs, half, rs.length)))
        .encode();
  }

  /**
   * {@code r || s} with each half {@code size} bytes, from untrusted DER; empty if the input is not
   * exactly a well-formed signature whose values fit.
   */
  public static Optional<byte[]> fromDer(byte[] der, int size) {
    Der.Reader outer = new Der.Reader(der);
    Optional<Der.Reader> seq = outer.read(Der.SEQUENCE);
    if (seq.isEmpty() || !outer.atEnd()) {
      return Optional.empty();
    }
    Der.Reader body = seq.get();
    Optional<byte[]> r = body.readContent(Der.INTEGER).flatMap(c -> Der.unsignedFixed(c, size));
    Optional<byte[]> s = body.readContent(Der.INTEGER).flatMap(c -> Der.unsignedFixed(c, size));
    if (r.isEmpty() || s.isEmpty() || !body.atEnd()) {
      return Optional.empty();
    }
    byte[] out = Arrays.copyOf(r.get(), 2 * size);
    System.arraycopy(s.get(), 0, out, size, size);
    return Optional.of(out);
  }
}
