package org.hsmkms.hsm.pkcs11;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_COEFFICIENT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_EC_PARAMS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_EC_POINT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_EXPONENT_1;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_EXPONENT_2;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_KEY_TYPE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_MODULUS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_PRIME_1;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_PRIME_2;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_PRIVATE_EXPONENT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_PUBLIC_EXPONENT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_VALUE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_EC;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_EC_EDWARDS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_RSA;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_EC_EDWARDS_KEY_PAIR_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_EC_KEY_PAIR_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_PKCS_KEY_PAIR_GEN;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Optional;
import org.hsmkms.crypto.Der;
import org.hsmkms.crypto.KeyEncodings;
import org.hsmkms.crypto.SecretBytes;
import org.hsmkms.hsm.ExportedKeyPair;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.HsmException.Kind;
import org.hsmkms.hsm.KeyPairType;
import org.hsmkms.hsm.KeyPairUsage;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.KeyPairTemplate;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.Session;

/**
 * Templates for key pair and HMAC key objects, and reading key pairs out as standard encodings.
 *
 * <p>Security: CMK templates make the private (or secret) key {@code CKA_TOKEN}, {@code
 * CKA_PRIVATE}, {@code CKA_SENSITIVE}, never {@code CKA_EXTRACTABLE} and not modifiable, with
 * exactly one usage. Only data key pair templates, always session objects ({@code
 * CKA_TOKEN=false}), are non-sensitive and extractable, so that the pair can be read out once and
 * destroyed; they allow no cryptographic use at all.
 */
final class KeyPairObjects {
  private static final BigInteger F4 = BigInteger.valueOf(65537);

  private KeyPairObjects() {}

  static Mechanism generationMechanism(KeyPairType type) {
    return new Mechanism(
        switch (type.family()) {
          case RSA -> CKM_RSA_PKCS_KEY_PAIR_GEN;
          case EC -> CKM_EC_KEY_PAIR_GEN;
          case EDWARDS -> CKM_EC_EDWARDS_KEY_PAIR_GEN;
        });
  }

  private static KeyPairTemplate base(KeyPairType type) {
    KeyPairTemplate t =
        new KeyPairTemplate(
            switch (type.family()) {
              case RSA -> CKK_RSA;
              case EC -> CKK_EC;
              case EDWARDS -> CKK_EC_EDWARDS;
            });
    if (type.family() == KeyPairType.Family.RSA) {
      t.publicKey().modulusBits(type.bits()).publicExponent(F4);
    } else {
      t.publicKey().ecParams(type.curveOid());
    }
    return t;
  }

  /** A persistent CMK pair allowed exactly {@code usage}. */
  static KeyPairTemplate cmkTemplate(
      KeyPairType type, KeyPairUsage usage, byte[] id, String label) {
    boolean sign = usage == KeyPairUsage.SIGN_VERIFY;
    boolean crypt = usage == KeyPairUsage.ENCRYPT_DECRYPT;
    boolean derive = usage == KeyPairUsage.KEY_AGREEMENT;
    KeyPairTemplate t = base(type);
    t.publicKey()
        .token(true)
        .private_(true)
        .modifiable(false)
        .verify(sign)
        .encrypt(crypt)
        .wrap(false)
        .derive(false)
        .id(id.clone())
        .label(label);
    t.privateKey()
        .token(true)
        .private_(true)
        .modifiable(false)
        .sensitive(true)
        .extractable(false)
        .sign(sign)
        .decrypt(crypt)
        .derive(derive)
        .unwrap(false)
        .id(id.clone())
        .label(label);
    return t;
  }

  /**
   * A data key pair: session objects only. Reading the private key's components out is the one
   * thing it is for, so it is non-sensitive and extractable and allows no operation.
   */
  static KeyPairTemplate dataKeyPairTemplate(KeyPairType type, byte[] id, String label) {
    KeyPairTemplate t = base(type);
    t.publicKey()
        .token(false)
        .private_(true)
        .modifiable(false)
        .verify(false)
        .encrypt(false)
        .wrap(false)
        .derive(false)
        .id(id.clone())
        .label(label);
    t.privateKey()
        .token(false)
        .private_(true)
        .modifiable(false)
        .sensitive(false)
        .extractable(true)
        .sign(false)
        .decrypt(false)
        .derive(false)
        .unwrap(false)
        .id(id.clone())
        .label(label);
    return t;
  }

  static KeyPairType typeOf(Session s, long publicKey) throws PKCS11Exception {
    AttributeVector a = s.getAttrValues(publicKey, CKA_KEY_TYPE);
    long keyType = a.keyType();
    if (keyType == CKK_RSA) {
      int bits = s.getAttrValues(publicKey, CKA_MODULUS).modulus().bitLength();
      for (KeyPairType t : KeyPairType.values()) {
        if (t.family() == KeyPairType.Family.RSA && t.bits() == bits) {
          return t;
        }
      }
    } else if (keyType == CKK_EC || keyType == CKK_EC_EDWARDS) {
      byte[] params = s.getAttrValues(publicKey, CKA_EC_PARAMS).ecParams();
      for (KeyPairType t : KeyPairType.values()) {
        if (t.curveOid() != null && Arrays.equals(t.curveOid(), params)) {
          return t;
        }
      }
    }
    throw new HsmException(Kind.INTERNAL, "key object of an unsupported type");
  }

  /** The DER SubjectPublicKeyInfo of a public key object. */
  static byte[] publicKeyInfo(Session s, KeyPairType type, long publicKey) throws PKCS11Exception {
    if (type.family() == KeyPairType.Family.RSA) {
      AttributeVector a = s.getAttrValues(publicKey, CKA_MODULUS, CKA_PUBLIC_EXPONENT);
      return KeyEncodings.rsaPublicKey(
          a.getByteArrayAttrValue(CKA_MODULUS), a.getByteArrayAttrValue(CKA_PUBLIC_EXPONENT));
    }
    byte[] point = point(type, s.getAttrValues(publicKey, CKA_EC_POINT).ecPoint());
    return type.family() == KeyPairType.Family.EC
        ? KeyEncodings.ecPublicKey(type.curveOid(), point)
        : KeyEncodings.ed25519PublicKey(point);
  }

  /** Reads a non-sensitive pair as SPKI and PKCS#8; zeroes the components it read. */
  static ExportedKeyPair export(Session s, KeyPairType type, long privateKey, long publicKey)
      throws PKCS11Exception {
    byte[] spki = publicKeyInfo(s, type, publicKey);
    if (type.family() == KeyPairType.Family.RSA) {
      AttributeVector a =
          s.getAttrValues(
              privateKey,
              CKA_MODULUS,
              CKA_PUBLIC_EXPONENT,
              CKA_PRIVATE_EXPONENT,
              CKA_PRIME_1,
              CKA_PRIME_2,
              CKA_EXPONENT_1,
              CKA_EXPONENT_2,
              CKA_COEFFICIENT);
      byte[][] c = {
        a.getByteArrayAttrValue(CKA_MODULUS), a.getByteArrayAttrValue(CKA_PUBLIC_EXPONENT),
        a.getByteArrayAttrValue(CKA_PRIVATE_EXPONENT), a.getByteArrayAttrValue(CKA_PRIME_1),
        a.getByteArrayAttrValue(CKA_PRIME_2), a.getByteArrayAttrValue(CKA_EXPONENT_1),
        a.getByteArrayAttrValue(CKA_EXPONENT_2), a.getByteArrayAttrValue(CKA_COEFFICIENT)
      };
      try {
        for (byte[] part : c) {
          if (part == null) {
            throw new HsmException(Kind.INTERNAL, "the token did not return every RSA component");
          }
        }
        return new ExportedKeyPair(
            type,
            spki,
            SecretBytes.wrap(
                KeyEncodings.rsaPrivateKey(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7])));
      } finally {
        for (byte[] part : c) {
          if (part != null) {
            Arrays.fill(part, (byte) 0);
          }
        }
      }
    }
    byte[] value = s.getAttrValues(privateKey, CKA_VALUE).getByteArrayAttrValue(CKA_VALUE);
    if (value == null) {
      throw new HsmException(Kind.INTERNAL, "the token did not return the private value");
    }
    try {
      if (type.family() == KeyPairType.Family.EC) {
        byte[] point = point(type, s.getAttrValues(publicKey, CKA_EC_POINT).ecPoint());
        return new ExportedKeyPair(
            type,
            spki,
            SecretBytes.wrap(
                KeyEncodings.ecPrivateKey(type.curveOid(), type.size(), value, point)));
      }
      if (value.length != type.size()) {
        throw new HsmException(Kind.INTERNAL, "unexpected EdDSA private key length");
      }
      return new ExportedKeyPair(
          type, spki, SecretBytes.wrap(KeyEncodings.ed25519PrivateKey(value)));
    } finally {
      Arrays.fill(value, (byte) 0);
    }
  }

  /**
   * The point of {@code CKA_EC_POINT}: PKCS#11 says a DER OCTET STRING, some tokens and wrappers
   * give the bare point; both are accepted. Weierstrass points must be uncompressed.
   */
  static byte[] point(KeyPairType type, byte[] attr) {
    int expected = type.family() == KeyPairType.Family.EC ? 1 + 2 * type.size() : type.size();
    byte[] p = attr;
    if (p != null && p.length != expected) {
      Der.Reader r = new Der.Reader(p);
      Optional<byte[]> inner = r.readContent(0x04);
      p = inner.isPresent() && r.atEnd() ? inner.get() : null;
    }
    if (p == null
        || p.length != expected
        || (type.family() == KeyPairType.Family.EC && p[0] != 0x04)) {
      throw new HsmException(Kind.INTERNAL, "unexpected CKA_EC_POINT encoding");
    }
    return p;
  }
}
