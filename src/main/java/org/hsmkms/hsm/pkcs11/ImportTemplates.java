package org.hsmkms.hsm.pkcs11;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_EC;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_EC_EDWARDS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_GENERIC_SECRET;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_RSA;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_KEY_WRAP_PAD;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_PKCS_OAEP;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_X_509;

import java.math.BigInteger;
import org.hsmkms.hsm.KeyImport.Material;
import org.hsmkms.hsm.KeyImport.Wrapping;
import org.hsmkms.hsm.KeyPairType;
import org.hsmkms.hsm.KeyPairUsage;
import org.hsmkms.hsm.MaterialId;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.KeyPairTemplate;

/**
 * Templates of the objects an import makes: the wrapping key pair, the ephemeral AES key of the
 * RSA_AES_KEY_WRAP algorithms, and the CMK objects the material is unwrapped into.
 *
 * <p>Security: the CMK templates give the attributes {@link KeyTemplates} and {@link
 * KeyPairObjects} give generated CMKs (private, sensitive, never extractable, one usage, allowed
 * mechanisms), except that HMAC and private keys stay modifiable: SoftHSM2 refuses {@code
 * CKA_MODIFIABLE=false} in an unwrap template (CKR_ATTRIBUTE_READ_ONLY). As for AES CMKs (see
 * {@link KeyTemplates#aesKey}), PKCS#11 lets sensitivity only be set and extractability only be
 * cleared; another holder of the token's PIN could change their usage flags (docs/import.md). The
 * wrapping private key may unwrap, and decrypt only where the token lacks OAEP with SHA-256 (raw
 * RSA, {@code CKM_RSA_X_509}); the ephemeral AES key may only unwrap, and is a session object.
 */
final class ImportTemplates {
  private static final BigInteger F4 = BigInteger.valueOf(65537);

  private ImportTemplates() {}

  /** An RSA wrapping pair for {@code wrapping}, as token objects. */
  static KeyPairTemplate wrappingPair(int bits, Wrapping wrapping, MaterialId id, String label) {
    KeyPairTemplate t = new KeyPairTemplate(CKK_RSA);
    t.publicKey()
        .modulusBits(bits)
        .publicExponent(F4)
        .token(true)
        .private_(false)
        .modifiable(false)
        .encrypt(true)
        .wrap(true)
        .verify(false)
        .derive(false)
        .id(id.bytes())
        .label(label);
    t.privateKey()
        .token(true)
        .private_(true)
        .modifiable(false)
        .sensitive(true)
        .extractable(false)
        .unwrap(true)
        .decrypt(wrapping.sha256())
        .sign(false)
        .derive(false)
        .id(id.bytes())
        .label(label)
        .allowedMechanisms(
            wrapping.sha256()
                ? new long[] {CKM_RSA_PKCS_OAEP, CKM_RSA_X_509}
                : new long[] {CKM_RSA_PKCS_OAEP});
    return t;
  }

  /** The ephemeral AES key of RSA_AES_KEY_WRAP: a session object allowed only AES-KWP unwrap. */
  static AttributeVector ephemeralAesKey() {
    return AttributeVector.newAESSecretKey()
        .token(false)
        .private_(true)
        .sensitive(true)
        .extractable(false)
        .encrypt(false)
        .decrypt(false)
        .wrap(false)
        .unwrap(true)
        .sign(false)
        .verify(false)
        .derive(false)
        .allowedMechanisms(new long[] {CKM_AES_KEY_WRAP_PAD});
  }

  /**
   * The CMK object the material is unwrapped into (its private key for a pair), for C_UnwrapKey
   * ({@code unwrap}) or C_CreateObject. The two are the same today: SoftHSM2 refuses {@code
   * CKA_VALUE_LEN} in an unwrap template (CKR_ATTRIBUTE_READ_ONLY) and leaves it 0 afterwards.
   */
  static AttributeVector target(
      Material m, MaterialId id, String label, boolean token, boolean unwrap) {
    AttributeVector v =
        switch (m.kind()) {
          case AES_256 ->
              AttributeVector.newAESSecretKey()
                  // Modifiable, like generated AES CMKs, so the token can make working copies.
                  .modifiable(true)
                  .encrypt(true)
                  .decrypt(true)
                  .sign(false)
                  .verify(false)
                  .allowedMechanisms(KeyTemplates.AES_KEY_MECHANISMS);
          case HMAC ->
              AttributeVector.newSecretKey(CKK_GENERIC_SECRET)
                  .encrypt(false)
                  .decrypt(false)
                  .sign(true)
                  .verify(true)
                  .allowedMechanisms(KeyTemplates.hmacMechanisms(m.mac().length()));
          case KEY_PAIR ->
              AttributeVector.newPrivateKey(keyType(m.pairType()))
                  .sign(m.usage() == KeyPairUsage.SIGN_VERIFY)
                  .decrypt(m.usage() == KeyPairUsage.ENCRYPT_DECRYPT)
                  .allowedMechanisms(KeyTemplates.privateKeyMechanisms(m.pairType(), m.usage()));
        };
    v.token(token)
        .private_(true)
        .sensitive(true)
        .extractable(false)
        .unwrap(false)
        .derive(m.kind() == Material.Kind.KEY_PAIR && m.usage() == KeyPairUsage.KEY_AGREEMENT)
        .id(id.bytes())
        .label(label);
    if (m.kind() != Material.Kind.KEY_PAIR) {
      v.wrap(false); // (a private key has no CKA_WRAP)
    }
    return v;
  }

  /** The public key object of an imported RSA private key, as a generated pair has it. */
  static AttributeVector rsaPublicKey(
      BigInteger modulus, BigInteger exponent, KeyPairUsage usage, MaterialId id, String label) {
    return AttributeVector.newRSAPublicKey()
        .modulus(modulus)
        .publicExponent(exponent)
        .token(true)
        .private_(true)
        .modifiable(false)
        .verify(usage == KeyPairUsage.SIGN_VERIFY)
        .encrypt(usage == KeyPairUsage.ENCRYPT_DECRYPT)
        .wrap(false)
        .derive(false)
        .id(id.bytes())
        .label(label);
  }

  private static long keyType(KeyPairType type) {
    return switch (type.family()) {
      case RSA -> CKK_RSA;
      case EC -> CKK_EC;
      case EDWARDS -> CKK_EC_EDWARDS;
    };
  }
}
