package org.hsmkms.hsm.pkcs11;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_KEY_TYPE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_RSA;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_ATTRIBUTE_VALUE_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_DATA_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_DATA_LEN_RANGE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_DOMAIN_PARAMS_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_ENCRYPTED_DATA_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_ENCRYPTED_DATA_LEN_RANGE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_GENERAL_ERROR;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_KEY_SIZE_RANGE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_KEY_TYPE_INCONSISTENT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_TEMPLATE_INCONSISTENT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_WRAPPED_KEY_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_WRAPPED_KEY_LEN_RANGE;

import java.util.Set;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.HsmException.Kind;
import org.hsmkms.hsm.KeyImport.Material;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.Session;

/**
 * What an unwrapped object must be before it becomes a CMK, and what a failed unwrap was.
 *
 * <p>Security: a wrapped material that does not unwrap, or unwraps into something else than the
 * key's spec asks (an AES key of 128 bits, an HMAC key too short, an RSA key of another size), is
 * one authentication failure (the caller destroys whatever was made), so the answer tells nothing
 * about how far decryption got.
 */
final class ImportChecks {
  private static final Logger LOG = LoggerFactory.getLogger(ImportChecks.class);

  /** Codes of C_UnwrapKey / C_Decrypt / C_CreateObject that mean the client's bytes are bad. */
  private static final Set<Long> BAD_INPUT =
      Set.of(
          CKR_ENCRYPTED_DATA_INVALID,
          CKR_ENCRYPTED_DATA_LEN_RANGE,
          CKR_WRAPPED_KEY_INVALID,
          CKR_WRAPPED_KEY_LEN_RANGE,
          CKR_DATA_INVALID,
          CKR_DATA_LEN_RANGE,
          CKR_TEMPLATE_INCONSISTENT,
          CKR_ATTRIBUTE_VALUE_INVALID,
          CKR_KEY_SIZE_RANGE,
          CKR_KEY_TYPE_INCONSISTENT,
          CKR_DOMAIN_PARAMS_INVALID);

  private ImportChecks() {}

  /** Throws an authentication failure unless {@code object} is material of {@code m}'s kind. */
  static void check(Session s, long object, Material m) throws PKCS11Exception {
    boolean ok =
        switch (m.kind()) {
          // SoftHSM2 leaves CKA_VALUE_LEN at 0 on an unwrapped secret key: the length is then
          // unknown here (see docs/import.md); a length the token reports is checked.
          case AES_256, HMAC -> {
            int len = Pkcs11KeyImport.valueLength(s, object);
            yield len <= 0 || (len >= m.minBytes() && len <= m.maxBytes());
          }
          case KEY_PAIR ->
              s.getAttrValues(object, CKA_KEY_TYPE).keyType() == CKK_RSA
                  && Pkcs11KeyImport.modulus(s, object).bitLength() == m.pairType().bits();
        };
    if (!ok) {
      LOG.debug("import: the unwrapped object is not of kind {}", m.kind());
      throw new HsmException(
          Kind.AUTHENTICATION_FAILED, "the material is not of the key's spec and size");
    }
  }

  /**
   * What a failed unwrap was: the input's fault (thrown as an authentication failure), a device
   * fault (thrown as internal), or anything else (returned, for the session executor to judge).
   */
  static PKCS11Exception classify(Session s, long unwrapping, PKCS11Exception e) {
    long code = e.getErrorCode();
    LOG.debug("import: the token answered {}", e.getErrorName());
    if (BAD_INPUT.contains(code)) {
      throw new HsmException(Kind.AUTHENTICATION_FAILED, "unwrap failed", code, null);
    }
    if (code == CKR_GENERAL_ERROR) {
      if (Pkcs11RsaDecryption.answersFor(s, unwrapping)) {
        throw new HsmException(Kind.AUTHENTICATION_FAILED, "unwrap failed", code, null);
      }
      LOG.error("C_UnwrapKey failed with CKR_GENERAL_ERROR and the device then failed: a fault");
      throw new HsmException(Kind.INTERNAL, "C_UnwrapKey failed: device fault", code, null);
    }
    return e;
  }
}
