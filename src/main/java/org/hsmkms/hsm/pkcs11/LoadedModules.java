package org.hsmkms.hsm.pkcs11;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_CRYPTOKI_ALREADY_INITIALIZED;

import java.io.IOException;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.HsmException.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11Module;

/**
 * The loaded Cryptoki modules of this process: one initialised module per library path, shared and
 * counted, because Cryptoki is initialised once per process and {@code C_Finalize} would end every
 * other user's sessions (several service instances share a process in tests).
 */
final class LoadedModules {
  private static final Logger LOG = LoggerFactory.getLogger(LoadedModules.class);

  private static final Map<String, PKCS11Module> MODULES = new HashMap<>();
  private static final Map<PKCS11Module, Integer> USERS = new IdentityHashMap<>();

  private LoadedModules() {}

  /** Loads and initialises the module at {@code path}, or shares the one already loaded. */
  static synchronized PKCS11Module acquire(String path) {
    PKCS11Module module = MODULES.get(path);
    if (module == null) {
      try {
        module = PKCS11Module.getInstance(path);
      } catch (IOException e) {
        throw new HsmException(Kind.UNAVAILABLE, "cannot load PKCS#11 module " + path, -1, e);
      }
      try {
        module.initialize();
      } catch (PKCS11Exception e) {
        if (e.getErrorCode() != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
          throw SessionExecutor.fail(Kind.UNAVAILABLE, "C_Initialize", e);
        }
      }
      MODULES.put(path, module);
    }
    USERS.merge(module, 1, Integer::sum);
    return module;
  }

  /** Gives a module back; the last user finalizes it. */
  static synchronized void release(PKCS11Module module) {
    int left = USERS.merge(module, -1, Integer::sum);
    if (left > 0) {
      return;
    }
    USERS.remove(module);
    MODULES.values().remove(module);
    try {
      module.finalize(null);
    } catch (PKCS11Exception e) {
      LOG.debug("C_Finalize: {}", e.getErrorName());
    }
  }
}
