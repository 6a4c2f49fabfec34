package org.hsmkms.kms;

/**
 * A fault injector for crash tests, and nothing else: {@link #reach} halts the JVM at once (exit
 * status 137, as for SIGKILL: no shutdown hooks, no finally blocks, no flushing) when the system
 * property {@value #PROPERTY} names the point reached. ProcessCrashIT starts the service as a
 * separate process with the property set, to prove that start-up reconciliation repairs what a
 * process killed between two steps of a multi-step operation leaves behind.
 *
 * <p>The property is read once, when the class loads; without it every point is one comparison with
 * null. The points: {@value #ROTATION_CLAIMED}, {@value #ROTATION_MATERIAL_MADE}, {@value
 * #IMPORT_WRAPPING_KEY_MADE}, {@value #IMPORT_UNWRAPPED} and {@value #CREATE_KEY_MATERIAL_MADE}.
 *
 * <p>Security: never set the property on a production service; it only stops the process, and reads
 * or reveals nothing.
 */
public final class CrashPoints {
  /** The system property naming the point to crash at. */
  public static final String PROPERTY = "hsmkms.crashAt";

  /** Rotation: the rotation row is claimed; the HSM has not made the material yet. */
  public static final String ROTATION_CLAIMED = "rotation.claimed";

  /** Rotation: the HSM made the new material; the store has not made it current yet. */
  public static final String ROTATION_MATERIAL_MADE = "rotation.material-made";

  /** GetParametersForImport: the HSM made the wrapping key pair; the store has no record. */
  public static final String IMPORT_WRAPPING_KEY_MADE = "import.wrapping-key-made";

  /** ImportKeyMaterial: the HSM unwrapped the material into its object; the store has no record. */
  public static final String IMPORT_UNWRAPPED = "import.unwrapped";

  /** CreateKey: the HSM made the key; its row is still Creating. */
  public static final String CREATE_KEY_MATERIAL_MADE = "createKey.material-made";

  private static final String CRASH_AT = System.getProperty(PROPERTY);

  private CrashPoints() {}

  /** Halts the JVM with status 137 if {@value #PROPERTY} is {@code name}; else does nothing. */
  static void reach(String name) {
    if (CRASH_AT != null && CRASH_AT.equals(name)) {
      Runtime.getRuntime().halt(137);
    }
  }
}
