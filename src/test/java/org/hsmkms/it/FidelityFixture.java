package org.hsmkms.it;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hsmkms.testing.TestServer;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.GetParametersForImportResponse;

/**
 * The keys and values the fidelity tables' requests and messages name, made once per server through
 * the AWS SDK. A placeholder {@code $name} is a key id (or a value such as a ciphertext), {@code
 * $name.arn} that key's ARN; a {@code $new...} placeholder makes a new thing each time it is
 * resolved, for rows that change what they touch.
 *
 * <p>Named keys: {@code sym} (symmetric, Enabled), {@code disabled}, {@code pending} (pending
 * deletion), {@code external} (origin EXTERNAL, PendingImport), {@code rsaEnc}, {@code rsaSign},
 * {@code ecSign}, {@code ecAgree}, {@code hmac}, {@code disabledSign} (ECC SIGN_VERIFY, Disabled),
 * {@code unknown} and {@code unknownMrk} (ids no key has).
 */
final class FidelityFixture {
  static final String MESSAGE_B64 = Base64.getEncoder().encodeToString("message".getBytes());
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$([A-Za-z0-9]+)(\\.arn)?");
  private static FidelityFixture shared;

  private final TestServer server;
  private final KmsClient kms;
  private final Map<String, String> values = new HashMap<>();
  private final Map<String, Supplier<String>> makers = new HashMap<>();

  private FidelityFixture(TestServer server) {
    this.server = server;
    this.kms = server.client();
  }

  /** The fixture on the shared server, made on first use. */
  static synchronized FidelityFixture shared() {
    if (shared == null) {
      shared = new FidelityFixture(TestServer.shared());
      shared.make();
    }
    return shared;
  }

  private void make() {
    String sym = key("sym", "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    values.put("ct", encrypt(sym));
    String disabled = key("disabled", "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    values.put("ctDisabled", encrypt(disabled));
    kms.disableKey(b -> b.keyId(disabled));
    String pending = key("pending", "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    values.put("ctPending", encrypt(pending));
    kms.scheduleKeyDeletion(b -> b.keyId(pending).pendingWindowInDays(30));
    values.put("external", kms.createKey(b -> b.origin("EXTERNAL")).keyMetadata().keyId());
    key("rsaEnc", "RSA_2048", "ENCRYPT_DECRYPT");
    key("rsaSign", "RSA_2048", "SIGN_VERIFY");
    String ecSign = key("ecSign", "ECC_NIST_P256", "SIGN_VERIFY");
    values.put(
        "sig",
        b64(
            kms.sign(
                    b ->
                        b.keyId(ecSign)
                            .message(SdkBytes.fromUtf8String("message"))
                            .signingAlgorithm("ECDSA_SHA_256"))
                .signature()));
    key("ecAgree", "ECC_NIST_P256", "KEY_AGREEMENT");
    String peer =
        kms.createKey(b -> b.keySpec("ECC_NIST_P256").keyUsage("KEY_AGREEMENT"))
            .keyMetadata()
            .keyId();
    values.put("agreePub", b64(kms.getPublicKey(b -> b.keyId(peer)).publicKey()));
    String hmac = key("hmac", "HMAC_256", "GENERATE_VERIFY_MAC");
    values.put(
        "mac",
        b64(
            kms.generateMac(
                    b ->
                        b.keyId(hmac)
                            .message(SdkBytes.fromUtf8String("message"))
                            .macAlgorithm("HMAC_SHA_256"))
                .mac()));
    String disabledSign = key("disabledSign", "ECC_NIST_P256", "SIGN_VERIFY");
    kms.disableKey(b -> b.keyId(disabledSign));
    values.put("unknown", UUID.randomUUID().toString());
    values.put("unknownMrk", "mrk-" + UUID.randomUUID().toString().replace("-", ""));
    String alias = KmsTesting.uniqueAliasName();
    kms.createAlias(b -> b.aliasName(alias).targetKeyId(sym));
    values.put("alias", alias);
    values.put("b64", MESSAGE_B64);
    values.put("principal", TestServer.PRINCIPAL);
    values.put("account", TestServer.ACCOUNT);

    makers.put("new", () -> kms.createKey(b -> {}).keyMetadata().keyId());
    makers.put("newPending", this::newPending);
    makers.put("newExternal", () -> kms.createKey(b -> b.origin("EXTERNAL")).keyMetadata().keyId());
    makers.put("newMrk", this::newMrk);
    makers.put("newReplicated", this::newReplicated);
    makers.put("newGrant", this::newGrant);
    makers.put("newAlias", KmsTesting::uniqueAliasName);
    makers.put("newAliasOnSym", () -> newAliasOn(sym));
  }

  private String key(String name, String spec, String usage) {
    String id = kms.createKey(b -> b.keySpec(spec).keyUsage(usage)).keyMetadata().keyId();
    values.put(name, id);
    return id;
  }

  private String encrypt(String keyId) {
    return b64(
        kms.encrypt(b -> b.keyId(keyId).plaintext(SdkBytes.fromUtf8String("secret")))
            .ciphertextBlob());
  }

  private String newPending() {
    String id = makers.get("new").get();
    kms.scheduleKeyDeletion(b -> b.keyId(id).pendingWindowInDays(7));
    return id;
  }

  private String newMrk() {
    return kms.createKey(b -> b.multiRegion(true)).keyMetadata().keyId();
  }

  private String newReplicated() {
    String id = newMrk();
    kms.replicateKey(b -> b.keyId(id).replicaRegion("us-west-2"));
    return id;
  }

  private String newGrant() {
    return kms.createGrant(
            b ->
                b.keyId(values.get("sym"))
                    .granteePrincipal("arn:aws:iam::" + TestServer.ACCOUNT + ":role/fidelity")
                    .operationsWithStrings("Encrypt"))
        .grantId();
  }

  private String newAliasOn(String keyId) {
    String alias = KmsTesting.uniqueAliasName();
    kms.createAlias(b -> b.aliasName(alias).targetKeyId(keyId));
    return alias;
  }

  /**
   * A complete ImportKeyMaterial request for a new EXTERNAL key: its import parameters, and 32
   * random bytes wrapped with RSAES_OAEP_SHA_1 as the AWS documentation's OpenSSL steps do.
   */
  String importRequest() {
    String id = makers.get("newExternal").get();
    GetParametersForImportResponse p =
        kms.getParametersForImport(
            b -> b.keyId(id).wrappingAlgorithm("RSAES_OAEP_SHA_1").wrappingKeySpec("RSA_2048"));
    byte[] material = new byte[32];
    new SecureRandom().nextBytes(material);
    byte[] wrapped;
    try {
      wrapped = ImportWrapping.jdk("RSAES_OAEP_SHA_1", p.publicKey().asByteArray(), material);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      java.util.Arrays.fill(material, (byte) 0);
    }
    return "{\"KeyId\":\""
        + id
        + "\",\"ImportToken\":\""
        + b64(p.importToken())
        + "\",\"EncryptedKeyMaterial\":\""
        + Base64.getEncoder().encodeToString(wrapped)
        + "\",\"ExpirationModel\":\"KEY_MATERIAL_DOES_NOT_EXPIRE\"}";
  }

  /** A request template: single quotes become double quotes, then placeholders are resolved. */
  String request(String template) {
    return resolve(template.replace('\'', '"'));
  }

  /** Replaces each {@code $name} and {@code $name.arn} in {@code text}. */
  String resolve(String text) {
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      String value;
      if (makers.containsKey(name)) {
        value = makers.get(name).get();
      } else if (values.containsKey(name)) {
        value = values.get(name);
      } else {
        throw new IllegalArgumentException("no placeholder " + name + " in " + text);
      }
      if (m.group(2) != null) {
        value = KmsTesting.keyArn(value);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  TestServer server() {
    return server;
  }

  /** An SDK client of the fixture's server (us-east-1, the test account). */
  KmsClient kms() {
    return kms;
  }

  private static String b64(SdkBytes bytes) {
    return Base64.getEncoder().encodeToString(bytes.asByteArray());
  }
}
