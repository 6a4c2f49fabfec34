package org.hsmkms.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Independent checks of keys and signatures made by the service: the JDK where it can (RSA, NIST
 * curves, Ed25519), BouncyCastle for secp256k1 (dropped from the JDK's SunEC), and the OpenSSL and
 * Python {@code cryptography} command-line tools where installed.
 */
public final class KeyPairChecks {
  /** Not registered globally: used only where the JDK lacks a curve. */
  public static final Provider BC = new BouncyCastleProvider();

  private KeyPairChecks() {}

  /** True for the secp256k1 specs, which need BouncyCastle. */
  public static boolean needsBouncyCastle(String spec) {
    return spec.contains("P256K1");
  }

  public static String keyAlgorithm(String spec) {
    if (spec.startsWith("RSA")) {
      return "RSA";
    }
    return spec.contains("EDWARDS25519") ? "Ed25519" : "EC";
  }

  public static KeyFactory keyFactory(String spec) throws GeneralSecurityException {
    return needsBouncyCastle(spec)
        ? KeyFactory.getInstance(keyAlgorithm(spec), BC)
        : KeyFactory.getInstance(keyAlgorithm(spec));
  }

  public static PublicKey publicKey(String spec, byte[] spki) throws GeneralSecurityException {
    return keyFactory(spec).generatePublic(new X509EncodedKeySpec(spki));
  }

  public static PrivateKey privateKey(String spec, byte[] pkcs8) throws GeneralSecurityException {
    return keyFactory(spec).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
  }

  public static Signature signature(String spec, String jcaAlgorithm)
      throws GeneralSecurityException {
    return needsBouncyCastle(spec)
        ? Signature.getInstance(jcaAlgorithm, BC)
        : Signature.getInstance(jcaAlgorithm);
  }

  /** The private key parses, belongs to the public key, and signs what the public key verifies. */
  public static void assertPairMatches(String spec, byte[] spki, byte[] pkcs8) throws Exception {
    PublicKey pub = publicKey(spec, spki);
    PrivateKey priv = privateKey(spec, pkcs8);
    if (pub instanceof RSAPublicKey rsa) {
      RSAPrivateCrtKey crt = (RSAPrivateCrtKey) priv;
      assertEquals(rsa.getModulus(), crt.getModulus());
      assertEquals(rsa.getPublicExponent(), crt.getPublicExponent());
      assertEquals(Integer.parseInt(spec.substring(4)), rsa.getModulus().bitLength());
    }
    String alg =
        switch (keyAlgorithm(spec)) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          default -> "Ed25519";
        };
    byte[] message = ("data key pair " + spec).getBytes(StandardCharsets.UTF_8);
    Signature signer = signature(spec, alg);
    signer.initSign(priv);
    signer.update(message);
    byte[] sig = signer.sign();
    Signature verifier = signature(spec, alg);
    verifier.initVerify(pub);
    verifier.update(message);
    assertTrue(verifier.verify(sig), "the private key does not match the public key");
  }

  public static boolean hasOpenSsl() {
    return run(null, "openssl", "version").exitCode() == 0;
  }

  public static boolean hasPythonCryptography() {
    return run(null, "python3", "-c", "import cryptography").exitCode() == 0;
  }

  /** What a command printed and returned. */
  public record Result(int exitCode, byte[] stdout, String stderr) {}

  /** Runs a command with {@code stdin}, bounded to 30 s. */
  public static Result run(byte[] stdin, String... command) {
    try {
      Path err = Files.createTempFile("hsmkms-cmd", ".err");
      try {
        Process p = new ProcessBuilder(List.of(command)).redirectError(err.toFile()).start();
        if (stdin != null) {
          p.getOutputStream().write(stdin);
        }
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          return new Result(-1, out, "timeout");
        }
        return new Result(p.exitValue(), out, Files.readString(err));
      } finally {
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      return new Result(-1, new byte[0], e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, new byte[0], e.toString());
    }
  }

  /** Writes bytes to a fresh temporary file (deleted on exit). */
  public static Path tempFile(String suffix, byte[] content) throws IOException {
    Path f = Files.createTempFile("hsmkms", suffix);
    f.toFile().deleteOnExit();
    Files.write(f, content);
    return f;
  }

  /** Arguments joined for assertion messages. */
  public static String describe(Result r) {
    List<String> parts = new ArrayList<>();
    parts.add("exit " + r.exitCode());
    parts.add(r.stderr().strip());
    return String.join(": ", parts);
  }
}
