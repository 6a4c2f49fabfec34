package org.hsmkms.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

/**
 * Wraps key material for import the two ways AWS's developer guide ("Encrypt key material") tells
 * users to: with the JDK (RSA-OAEP with MGF1 over the same hash; AES/KWP/NoPadding, RFC 5649), and
 * with the {@code openssl} command line, word for word as AWS documents it.
 */
final class ImportWrapping {
  private ImportWrapping() {}

  /** The JDK: RSAES_OAEP_* directly, RSA_AES_KEY_WRAP_* = OAEP(ephemeral AES-256) || KWP. */
  static byte[] jdk(String algorithm, byte[] spki, byte[] material) throws Exception {
    PublicKey wrappingKey =
        KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(spki));
    boolean sha256 = algorithm.endsWith("SHA_256");
    if (algorithm.startsWith("RSAES_OAEP")) {
      return oaep(wrappingKey, sha256, material);
    }
    byte[] aesKey = new byte[32];
    new java.security.SecureRandom().nextBytes(aesKey);
    Cipher kwp = Cipher.getInstance("AES/KWP/NoPadding");
    kwp.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(aesKey, "AES"));
    byte[] wrappedMaterial = kwp.doFinal(material);
    byte[] wrappedKey = oaep(wrappingKey, sha256, aesKey);
    byte[] out = new byte[wrappedKey.length + wrappedMaterial.length];
    System.arraycopy(wrappedKey, 0, out, 0, wrappedKey.length);
    System.arraycopy(wrappedMaterial, 0, out, wrappedKey.length, wrappedMaterial.length);
    return out;
  }

  private static byte[] oaep(PublicKey key, boolean sha256, byte[] data)
      throws GeneralSecurityException {
    Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPPadding");
    OAEPParameterSpec spec =
        sha256
            ? new OAEPParameterSpec(
                "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT)
            : new OAEPParameterSpec(
                "SHA-1", "MGF1", MGF1ParameterSpec.SHA1, PSource.PSpecified.DEFAULT);
    rsa.init(Cipher.ENCRYPT_MODE, key, spec);
    return rsa.doFinal(data);
  }

  /**
   * OpenSSL, with AWS's commands (RSAES_OAEP_SHA_1/256: {@code openssl pkeyutl -encrypt ...
   * -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256};
   * RSA_AES_KEY_WRAP: {@code openssl rand -out aes-key.bin 32}, {@code openssl enc
   * -id-aes256-wrap-pad -K <hex> -iv A65959A6}, the AES key through pkeyutl, and the two
   * concatenated).
   */
  static byte[] openssl(String algorithm, byte[] spki, byte[] material, Path dir) throws Exception {
    Files.createDirectories(dir);
    Path publicKey = dir.resolve("WrappingPublicKey.bin");
    Path plaintext = dir.resolve("PlaintextKeyMaterial.bin");
    Path encrypted = dir.resolve("EncryptedKeyMaterial.bin");
    Files.write(publicKey, spki);
    Files.write(plaintext, material);
    String md = algorithm.endsWith("SHA_256") ? "sha256" : "sha1";
    try {
      if (algorithm.startsWith("RSAES_OAEP")) {
        run(dir, pkeyutl(plaintext, encrypted, publicKey, md));
        return Files.readAllBytes(encrypted);
      }
      Path aesKey = dir.resolve("aes-key.bin");
      Path wrappedMaterial = dir.resolve("key-material-wrapped.bin");
      Path wrappedKey = dir.resolve("aes-key-wrapped.bin");
      run(dir, List.of("openssl", "rand", "-out", aesKey.toString(), "32"));
      String hex = HexFormat.of().formatHex(Files.readAllBytes(aesKey));
      run(
          dir,
          List.of(
              "openssl",
              "enc",
              "-id-aes256-wrap-pad",
              "-K",
              hex,
              "-iv",
              "A65959A6",
              "-in",
              plaintext.toString(),
              "-out",
              wrappedMaterial.toString()));
      run(dir, pkeyutl(aesKey, wrappedKey, publicKey, md));
      byte[] k = Files.readAllBytes(wrappedKey);
      byte[] m = Files.readAllBytes(wrappedMaterial);
      byte[] out = new byte[k.length + m.length];
      System.arraycopy(k, 0, out, 0, k.length);
      System.arraycopy(m, 0, out, k.length, m.length);
      return out;
    } finally {
      // The test's plaintext material and AES key do not outlive the test.
      try (var files = Files.list(dir)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static List<String> pkeyutl(Path in, Path out, Path publicKey, String md) {
    List<String> cmd = new ArrayList<>();
    cmd.addAll(
        List.of(
            "openssl",
            "pkeyutl",
            "-encrypt",
            "-in",
            in.toString(),
            "-out",
            out.toString(),
            "-inkey",
            publicKey.toString(),
            "-keyform",
            "DER",
            "-pubin",
            "-pkeyopt",
            "rsa_padding_mode:oaep",
            "-pkeyopt",
            "rsa_oaep_md:" + md,
            "-pkeyopt",
            "rsa_mgf1_md:" + md));
    return cmd;
  }

  private static void run(Path dir, List<String> cmd) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("openssl.log").toFile())
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(
          "openssl failed: "
              + String.join(" ", cmd.subList(0, 2))
              + ": "
              + Files.readString(dir.resolve("openssl.log")));
    }
  }
}
