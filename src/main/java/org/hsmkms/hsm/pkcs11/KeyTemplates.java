package org.hsmkms.hsm.pkcs11;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_GENERIC_SECRET;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_GCM;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_ECDH1_DERIVE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_ECDSA;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_EDDSA;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_PKCS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_PKCS_OAEP;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_PKCS_PSS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_X_509;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA224_HMAC;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA256_HMAC;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA384_HMAC;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA512_HMAC;

import org.hsmkms.hsm.KeyPairType;
import org.hsmkms.hsm.KeyPairUsage;
import org.hsmkms.hsm.MaterialId;
import org.xipki.pkcs11.wrapper.AttributeVector;

/**
 * Templates of the persistent secret keys the service generates, and the mechanisms ({@code
 * CKA_ALLOWED_MECHANISMS}) each kind of key is allowed.
 *
 * <p>Security: the allowed mechanisms bind a key to the one use the service makes of it, so that
 * another holder of the token's user PIN cannot use a CMK with, say, {@code CKM_AES_ECB} or {@code
 * CKM_AES_CTR} outside the service. Tokens that do not know the attribute get keys without it
 * (logged once); a dedicated token or partition is then the only such barrier.
 */
final class KeyTemplates {
  private KeyTemplates() {}

  /** AES-GCM only: what CMKs and service keys are used with. */
  static final long[] AES_KEY_MECHANISMS = {CKM_AES_GCM};

  /**
   * An AES-256 token object for encryption and decryption only: private, sensitive, never
   * extractable. CMKs and the service's own keys are both made this way.
   *
   * <p>It is left modifiable ({@code CKA_MODIFIABLE=true}) so that the token can make a working
   * copy of it as a session object ({@link WorkingCopies}): a token copies no object that is not
   * modifiable. That gives nothing away: PKCS#11 lets {@code CKA_SENSITIVE} only be set and {@code
   * CKA_EXTRACTABLE} only be cleared, and the value of a sensitive key can never be set or read
   * (WorkingCopiesIT checks that the token refuses each change).
   */
  static AttributeVector aesKey(MaterialId id, String fullLabel) {
    return AttributeVector.newAESSecretKey()
        .valueLen(32)
        .token(true)
        .private_(true)
        .sensitive(true)
        .extractable(false)
        .modifiable(true)
        .encrypt(true)
        .decrypt(true)
        .wrap(false)
        .unwrap(false)
        .sign(false)
        .verify(false)
        .derive(false)
        .id(id.bytes())
        .label(fullLabel);
  }

  /** A generic secret for HMAC: sign and verify only, sensitive, never extractable. */
  static AttributeVector hmacKey(int lengthBytes, MaterialId id, String fullLabel) {
    return AttributeVector.newSecretKey(CKK_GENERIC_SECRET)
        .valueLen(lengthBytes)
        .token(true)
        .private_(true)
        .modifiable(false)
        .sensitive(true)
        .extractable(false)
        .sign(true)
        .verify(true)
        .encrypt(false)
        .decrypt(false)
        .wrap(false)
        .unwrap(false)
        .derive(false)
        .id(id.bytes())
        .label(fullLabel);
  }

  /** The HMAC mechanism of a key of this length (AWS's HMAC key specs: key as long as digest). */
  static long[] hmacMechanisms(int lengthBytes) {
    return switch (lengthBytes) {
      case 28 -> new long[] {CKM_SHA224_HMAC};
      case 32 -> new long[] {CKM_SHA256_HMAC};
      case 48 -> new long[] {CKM_SHA384_HMAC};
      case 64 -> new long[] {CKM_SHA512_HMAC};
      default -> new long[] {CKM_SHA224_HMAC, CKM_SHA256_HMAC, CKM_SHA384_HMAC, CKM_SHA512_HMAC};
    };
  }

  /**
   * What the private key of a CMK pair may do. RSA decryption includes {@code CKM_RSA_X_509}: on a
   * token without OAEP over SHA-256 the HSM does the raw operation and the padding is checked in
   * the service (see {@link Pkcs11RsaDecryption}).
   */
  static long[] privateKeyMechanisms(KeyPairType type, KeyPairUsage usage) {
    return switch (usage) {
      case SIGN_VERIFY ->
          switch (type.family()) {
            case RSA -> new long[] {CKM_RSA_PKCS, CKM_RSA_PKCS_PSS};
            case EC -> new long[] {CKM_ECDSA};
            case EDWARDS -> new long[] {CKM_EDDSA};
          };
      case ENCRYPT_DECRYPT -> new long[] {CKM_RSA_PKCS_OAEP, CKM_RSA_X_509};
      case KEY_AGREEMENT -> new long[] {CKM_ECDH1_DERIVE};
    };
  }
}
