package org.hsmkms.hsm.pkcs11;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.Session;

/**
 * AES-GCM encryption and decryption through the JDK's own PKCS#11 layer (module {@code
 * jdk.crypto.cryptoki}, the wrapper under the SunPKCS11 provider), on the sessions and key handles
 * of the IAIK wrapper.
 *
 * <p>Both wrappers call into the same loaded Cryptoki module, so a session or object handle of one
 * is valid in the other. The JDK's JNI layer converts a GCM mechanism with one class lookup, where
 * the IAIK layer looks up about thirty classes on every call; on SoftHSM2 that is about 20 µs
 * against 32 µs per encryption, on the hottest path of the service (GenerateDataKey, Encrypt,
 * Decrypt). Everything else stays on the IAIK wrapper.
 *
 * <p>The JDK's layer is internal: the JVM must export it ({@code --add-exports
 * jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED}; the jar's manifest says so for
 * {@code java -jar}). When it is not exported, or cannot load the module, {@link #load} returns
 * null and the IAIK wrapper does the work, with the same results. A module that does not share its
 * sessions with a second wrapper is found out at start-up by {@link GcmLayerChoice}, which then
 * uses the IAIK wrapper too.
 */
final class JdkGcm implements GcmLayer {
  private static final Logger LOG = LoggerFactory.getLogger(JdkGcm.class);
  private static final String PACKAGE = "sun.security.pkcs11.wrapper.";
  private static final long CKM_AES_GCM = 0x1087L;
  private static final long CKF_OS_LOCKING_OK = 0x2L;
  private static final int TAG_BYTES = 16;

  private final Object pkcs11;
  private final MethodHandle newParams; // (int tagBits, byte[] iv, byte[] aad) -> CK_GCM_PARAMS
  private final MethodHandle newMechanism; // (long, CK_GCM_PARAMS) -> CK_MECHANISM
  private final MethodHandle freeHandle; // (CK_MECHANISM) -> void
  private final MethodHandle encryptInit; // (PKCS11, long, CK_MECHANISM, long) -> void
  private final MethodHandle
      encrypt; // (PKCS11, long, long, byte[], int, int, long, byte[], int, int)
  private final MethodHandle decryptInit;
  private final MethodHandle decrypt;
  private final MethodHandle errorCode; // (PKCS11Exception) -> long
  private final Class<?> exceptionClass;

  private JdkGcm(String modulePath) throws ReflectiveOperationException {
    MethodHandles.Lookup lookup = MethodHandles.lookup();
    Class<?> pkcs11Class = Class.forName(PACKAGE + "PKCS11");
    Class<?> paramsClass = Class.forName(PACKAGE + "CK_GCM_PARAMS");
    Class<?> mechanismClass = Class.forName(PACKAGE + "CK_MECHANISM");
    Class<?> initArgsClass = Class.forName(PACKAGE + "CK_C_INITIALIZE_ARGS");
    exceptionClass = Class.forName(PACKAGE + "PKCS11Exception");
    MethodHandle getInstance =
        lookup.findStatic(
            pkcs11Class,
            "getInstance",
            MethodType.methodType(
                pkcs11Class, String.class, String.class, initArgsClass, boolean.class));
    try {
      // The module is already initialised by the IAIK wrapper (with CKF_OS_LOCKING_OK):
      // C_Initialize
      // is not called again. The arguments only tell the JDK that the module locks for itself;
      // without them it would serialise every call of every thread behind one lock.
      Object initArgs = initArgsClass.getConstructor().newInstance();
      initArgsClass.getField("flags").setLong(initArgs, CKF_OS_LOCKING_OK);
      pkcs11 = getInstance.invoke(modulePath, "C_GetFunctionList", initArgs, true);
      if (pkcs11.getClass().getSimpleName().startsWith("Synchronized")) {
        throw new ReflectiveOperationException("the JDK's layer would serialise every call");
      }
    } catch (ReflectiveOperationException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new ReflectiveOperationException(e);
    }
    newParams =
        erase(
            lookup.findConstructor(
                paramsClass,
                MethodType.methodType(void.class, int.class, byte[].class, byte[].class)));
    newMechanism =
        erase(
            lookup.findConstructor(
                mechanismClass, MethodType.methodType(void.class, long.class, paramsClass)));
    freeHandle =
        erase(lookup.findVirtual(mechanismClass, "freeHandle", MethodType.methodType(void.class)));
    MethodType init = MethodType.methodType(void.class, long.class, mechanismClass, long.class);
    MethodType crypt =
        MethodType.methodType(
            int.class,
            long.class,
            long.class,
            byte[].class,
            int.class,
            int.class,
            long.class,
            byte[].class,
            int.class,
            int.class);
    encryptInit = erase(lookup.findVirtual(pkcs11Class, "C_EncryptInit", init));
    encrypt = erase(lookup.findVirtual(pkcs11Class, "C_Encrypt", crypt));
    decryptInit = erase(lookup.findVirtual(pkcs11Class, "C_DecryptInit", init));
    decrypt = erase(lookup.findVirtual(pkcs11Class, "C_Decrypt", crypt));
    errorCode =
        erase(
            lookup.findVirtual(exceptionClass, "getErrorCode", MethodType.methodType(long.class)));
  }

  /** The handle with every internal class in its type replaced by Object. */
  private static MethodHandle erase(MethodHandle h) {
    MethodType t = h.type();
    for (int i = 0; i < t.parameterCount(); i++) {
      if (t.parameterType(i).getName().startsWith(PACKAGE)) {
        t = t.changeParameterType(i, Object.class);
      }
    }
    if (t.returnType().getName().startsWith(PACKAGE)) {
      t = t.changeReturnType(Object.class);
    }
    return h.asType(t);
  }

  /** The JDK's layer on {@code modulePath}, or null (logged) if this JVM cannot provide it. */
  static JdkGcm load(String modulePath) {
    try {
      JdkGcm gcm = new JdkGcm(modulePath);
      LOG.debug("the JDK's PKCS#11 layer is loaded on {}", modulePath);
      return gcm;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      LOG.info(
          "AES-GCM through the IAIK wrapper only (the JDK's PKCS#11 layer is not available: {});"
              + " java --add-exports jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED"
              + " makes it faster",
          e.toString());
      return null;
    }
  }

  @Override
  public String name() {
    return "jdk";
  }

  @Override
  public byte[] encrypt(Session s, long key, byte[] iv, byte[] aad, byte[] plaintext)
      throws PKCS11Exception {
    long session = s.getSessionHandle();
    Object mechanism = mechanism(iv, aad);
    try {
      encryptInit.invokeExact(pkcs11, session, mechanism, key);
      byte[] out = new byte[plaintext.length + TAG_BYTES];
      int n =
          (int)
              encrypt.invokeExact(
                  pkcs11, session, 0L, plaintext, 0, plaintext.length, 0L, out, 0, out.length);
      return n == out.length ? out : Arrays.copyOf(out, n);
    } catch (Throwable e) {
      throw translate(e);
    } finally {
      free(mechanism);
    }
  }

  @Override
  public byte[] decrypt(Session s, long key, byte[] iv, byte[] aad, byte[] ciphertextAndTag)
      throws PKCS11Exception {
    long session = s.getSessionHandle();
    Object mechanism = mechanism(iv, aad);
    // Room for the whole input: some tokens ask for it before they know the tag is separate.
    byte[] out = new byte[ciphertextAndTag.length];
    try {
      decryptInit.invokeExact(pkcs11, session, mechanism, key);
      int n =
          (int)
              decrypt.invokeExact(
                  pkcs11,
                  session,
                  0L,
                  ciphertextAndTag,
                  0,
                  ciphertextAndTag.length,
                  0L,
                  out,
                  0,
                  out.length);
      return Arrays.copyOf(out, n);
    } catch (Throwable e) {
      throw translate(e);
    } finally {
      Arrays.fill(out, (byte) 0);
      free(mechanism);
    }
  }

  private Object mechanism(byte[] iv, byte[] aad) throws PKCS11Exception {
    try {
      Object params = newParams.invokeExact(TAG_BYTES * 8, iv, aad);
      return newMechanism.invokeExact(CKM_AES_GCM, params);
    } catch (Throwable e) {
      throw translate(e);
    }
  }

  /** Releases the native copy of the mechanism's parameters that the JDK keeps for GCM. */
  private void free(Object mechanism) {
    try {
      freeHandle.invokeExact(mechanism);
    } catch (Throwable e) {
      LOG.debug("freeing a GCM mechanism: {}", e.toString());
    }
  }

  /** A PKCS#11 error as the IAIK wrapper's exception (same code), so callers handle one kind. */
  private PKCS11Exception translate(Throwable e) {
    if (exceptionClass.isInstance(e)) {
      try {
        return new PKCS11Exception((long) errorCode.invokeExact((Object) e));
      } catch (Throwable ignored) {
        // fall through
      }
    }
    if (e instanceof RuntimeException r) {
      throw r;
    }
    if (e instanceof Error err) {
      throw err;
    }
    throw new IllegalStateException("AES-GCM through the JDK's PKCS#11 layer failed", e);
  }
}
