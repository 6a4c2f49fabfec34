package org.hsmkms.hsm.pkcs11;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_KEY_WRAP_PAD;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_ECDH1_DERIVE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_ECDSA;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_EC_EDWARDS_KEY_PAIR_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_EC_KEY_PAIR_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_EDDSA;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_GENERIC_SECRET_KEY_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_PKCS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_PKCS_KEY_PAIR_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_PKCS_OAEP;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_PKCS_PSS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_X_509;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA224_HMAC;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA256_HMAC;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA384_HMAC;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA512_HMAC;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.HsmException.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.PKCS11Constants;
import org.xipki.pkcs11.wrapper.PKCS11Constants.Category;
import org.xipki.pkcs11.wrapper.PKCS11Module;
import org.xipki.pkcs11.wrapper.Slot;
import org.xipki.pkcs11.wrapper.Token;

/**
 * Checks at start-up that the token offers the mechanisms the service uses, by the token's own list
 * ({@code C_GetMechanismList}, read once by the wrapper): the service stops when one it needs for
 * every deployment is missing, naming it, and warns about those that only some operations need
 * (which are then refused when used). AES-GCM and AES key generation are not looked up but tried,
 * by {@link GcmLayerChoice}: a module in front of the token may list a mechanism whose parameters
 * it does not forward.
 */
final class MechanismCheck {
  private static final Logger LOG = LoggerFactory.getLogger(MechanismCheck.class);

  /**
   * Needed by every deployment besides {@code CKM_AES_KEY_GEN} and {@code CKM_AES_GCM}, which
   * {@link GcmLayerChoice} has tried before: the audit trail's chain key.
   */
  static final Map<Long, String> REQUIRED =
      ordered(
          CKM_GENERIC_SECRET_KEY_GEN, "the audit trail's chain key and HMAC CMKs",
          CKM_SHA256_HMAC, "the audit trail's chain and HMAC_256 CMKs");

  /** Needed only by some operations or key specs. */
  static final Map<Long, String> OPTIONAL =
      ordered(
          CKM_RSA_PKCS_KEY_PAIR_GEN, "RSA CMKs and RSA import wrapping keys",
          CKM_EC_KEY_PAIR_GEN, "ECC_NIST_* and ECC_SECG_P256K1 CMKs",
          CKM_EC_EDWARDS_KEY_PAIR_GEN, "ECC_NIST_EDWARDS25519 CMKs",
          CKM_ECDSA, "Sign and Verify with ECC CMKs",
          CKM_EDDSA, "Sign and Verify with Ed25519 CMKs",
          CKM_RSA_PKCS, "Sign and Verify with RSASSA_PKCS1_V1_5",
          CKM_RSA_PKCS_PSS, "Sign and Verify with RSASSA_PSS",
          CKM_ECDH1_DERIVE, "DeriveSharedSecret",
          CKM_AES_KEY_WRAP_PAD, "ImportKeyMaterial and GenerateDataKeyPair",
          CKM_SHA224_HMAC, "HMAC_224 CMKs",
          CKM_SHA384_HMAC, "HMAC_384 CMKs",
          CKM_SHA512_HMAC, "HMAC_512 CMKs");

  private MechanismCheck() {}

  /**
   * Stops start-up (an {@link HsmException} naming every missing mechanism) if the token lacks one
   * of {@link #REQUIRED}; logs a warning for each missing one of {@link #OPTIONAL}. One {@code
   * C_GetMechanismList} call (the wrapper's own list asks for every mechanism's info as well, one
   * call each, which a network HSM would make slow).
   */
  static void check(Token token, String modulePath) {
    Slot slot = token.getSlot();
    PKCS11Module module = slot.getModule();
    long[] listed;
    try {
      listed = module.getPKCS11Module().C_GetMechanismList(slot.getSlotID());
    } catch (iaik.pkcs.pkcs11.wrapper.PKCS11Exception e) {
      LOG.warn(
          "C_GetMechanismList failed through {} ({}); mechanisms the token lacks will be refused"
              + " when used",
          modulePath,
          PKCS11Constants.ckrCodeToName(e.getErrorCode()));
      return;
    }
    for (int i = 0; i < listed.length; i++) {
      listed[i] = module.vendorToGenericCode(Category.CKM, listed[i]);
    }
    check(listed, modulePath);
  }

  /** {@link #check(Token, String)} on the list a token gave. */
  static void check(long[] listed, String modulePath) {
    if (listed.length == 0) {
      LOG.warn(
          "the token lists no mechanisms (C_GetMechanismList) through {}; those it lacks will be"
              + " refused when used",
          modulePath);
      return;
    }
    Set<Long> offered = Arrays.stream(listed).boxed().collect(Collectors.toSet());
    List<String> missing = missing(REQUIRED, offered);
    if (!offered.contains(CKM_RSA_PKCS_OAEP) && !offered.contains(CKM_RSA_X_509)) {
      LOG.warn(
          "the token offers neither CKM_RSA_PKCS_OAEP nor CKM_RSA_X_509: Decrypt with RSA CMKs and"
              + " importing key material wrapped with RSA will be refused");
    }
    for (String m : missing(OPTIONAL, offered)) {
      LOG.warn("the token does not offer {}: refused when used", m);
    }
    if (!missing.isEmpty()) {
      throw new HsmException(
          Kind.UNAVAILABLE,
          "the PKCS#11 module "
              + modulePath
              + " does not offer "
              + String.join(", ", missing)
              + " for the token; see hsm-config/vendors/README.md");
    }
  }

  /** "CKM_X (needed for ...)" for each mechanism of {@code wanted} not in {@code offered}. */
  static List<String> missing(Map<Long, String> wanted, Set<Long> offered) {
    List<String> out = new ArrayList<>();
    wanted.forEach(
        (code, use) -> {
          if (!offered.contains(code)) {
            out.add(PKCS11Constants.ckmCodeToName(code) + " (needed for " + use + ")");
          }
        });
    return out;
  }

  private static Map<Long, String> ordered(Object... pairs) {
    Map<Long, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((Long) pairs[i], (String) pairs[i + 1]);
    }
    return Collections.unmodifiableMap(m);
  }
}
