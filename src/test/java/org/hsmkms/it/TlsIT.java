package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.hsmkms.config.Config;
import org.hsmkms.testing.MutableClock;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.KeyMetadata;

/**
 * HTTPS: the server listens with a PEM certificate and key issued by a test CA (made here with the
 * JDK's keytool), the SDK talks to it trusting only that CA, and plain HTTP is refused on an
 * address other than loopback unless the configuration allows it explicitly.
 */
class TlsIT {
  private static final String PASS = "changeit";
  private static Path dir;
  private static Path certificate;
  private static Path privateKey;
  private static TrustManager[] trustTestCa;

  @BeforeAll
  static void makeTestCaAndServerCertificate() throws Exception {
    dir = TestServer.newDataDir().resolveSibling("tls");
    Files.createDirectories(dir);
    keytool(
        "-genkeypair",
        "-alias",
        "ca",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=hsm-kms test CA",
        "-ext",
        "bc:c",
        "-validity",
        "2",
        "-keystore",
        "ca.p12",
        "-storetype",
        "PKCS12",
        "-storepass",
        PASS);
    keytool(
        "-genkeypair",
        "-alias",
        "server",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=localhost",
        "-validity",
        "2",
        "-keystore",
        "server.p12",
        "-storetype",
        "PKCS12",
        "-storepass",
        PASS);
    keytool(
        "-certreq",
        "-alias",
        "server",
        "-keystore",
        "server.p12",
        "-storepass",
        PASS,
        "-file",
        "server.csr");
    keytool(
        "-gencert",
        "-alias",
        "ca",
        "-keystore",
        "ca.p12",
        "-storepass",
        PASS,
        "-infile",
        "server.csr",
        "-outfile",
        "server.crt",
        "-rfc",
        "-validity",
        "2",
        "-ext",
        "san=ip:127.0.0.1,dns:localhost",
        "-ext",
        "eku=serverAuth");
    keytool(
        "-exportcert",
        "-alias",
        "ca",
        "-keystore",
        "ca.p12",
        "-storepass",
        PASS,
        "-rfc",
        "-file",
        "ca.crt");

    KeyStore server = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(dir.resolve("server.p12"))) {
      server.load(in, PASS.toCharArray());
    }
    PrivateKey key = (PrivateKey) server.getKey("server", PASS.toCharArray());
    privateKey = dir.resolve("server.key");
    Files.writeString(privateKey, pem("PRIVATE KEY", key.getEncoded()));
    certificate = dir.resolve("server-chain.pem");
    Files.writeString(
        certificate,
        Files.readString(dir.resolve("server.crt")).strip()
            + "\n"
            + Files.readString(dir.resolve("ca.crt")).strip()
            + "\n");

    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(dir.resolve("ca.crt"))) {
      trust.setCertificateEntry(
          "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    trustTestCa = tmf.getTrustManagers();
  }

  @Test
  void sdkClient_overHttps_trustingTheTestCa_isServed() {
    try (TestServer tls = startTls()) {
      KmsClient kms = client(tls, trustTestCa);

      KeyMetadata md = kms.createKey(b -> {}).keyMetadata();
      var dk = kms.generateDataKey(b -> b.keyId(md.keyId()).keySpec(DataKeySpec.AES_256));

      assertTrue(tls.endpoint().toString().startsWith("https://127.0.0.1:"));
      assertEquals(32, dk.plaintext().asByteArray().length);
      assertEquals(md.arn(), kms.decrypt(b -> b.ciphertextBlob(dk.ciphertextBlob())).keyId());
    }
  }

  @Test
  void sdkClient_notTrustingTheTestCa_cannotConnect() {
    try (TestServer tls = startTls()) {
      KmsClient kms = client(tls, null);

      assertThrows(SdkClientException.class, kms::listKeys);
    }
  }

  @Test
  void plainHttp_toTheHttpsPort_getsNoAnswer() {
    try (TestServer tls = startTls()) {
      URI plain = URI.create("http://127.0.0.1:" + tls.endpoint().getPort() + "/");
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

      assertThrows(
          IOException.class,
          () ->
              http.send(
                  HttpRequest.newBuilder(plain)
                      .timeout(Duration.ofSeconds(10))
                      .POST(HttpRequest.BodyPublishers.ofString("{}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString()));
    }
  }

  @Test
  void plainHttp_onAnAddressOtherThanLoopback_isRefusedAtStartUp() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                TestServer.start(
                        TestServer.newDataDir(),
                        new MutableClock(),
                        c -> c.withServer(new Config.Server("0.0.0.0", 0, 65536L, null, null)))
                    .close());

    assertTrue(e.getMessage().startsWith("refusing plain HTTP on 0.0.0.0"), e.getMessage());
  }

  @Test
  void plainHttp_onAnAddressOtherThanLoopback_startsWhenAllowedExplicitly() {
    try (TestServer open =
        TestServer.start(
            TestServer.newDataDir(),
            new MutableClock(),
            c -> c.withServer(new Config.Server("0.0.0.0", 0, 65536L, null, true)))) {
      assertEquals(
          16,
          open.client().generateRandom(b -> b.numberOfBytes(16)).plaintext().asByteArray().length);
    }
  }

  @Test
  void config_readsTlsSettingsFromYaml() throws IOException {
    Path yaml = dir.resolve("tls.yaml");
    Files.writeString(
        yaml,
        "server:\n  host: 0.0.0.0\n  port: 4443\n  tls:\n"
            + "    certificateFile: "
            + certificate
            + "\n    privateKeyFile: "
            + privateKey
            + "\n"
            + "hsm:\n  module: /x.so\n  tokenLabel: t\n  pinEnv: PIN\n"
            + "store:\n  url: jdbc:sqlite:/tmp/x.db\n"
            + "credentials:\n  file: /etc/hsm-kms/credentials\n"
            + "audit:\n  file: /var/log/hsm-kms/audit.log\n  maxFiles: 3\n");

    Config c = Config.load(yaml);

    assertEquals(certificate.toString(), c.server().tls().certificateFile());
    assertEquals(false, c.server().allowPlainHttp());
    assertEquals(3, c.audit().maxFiles());
    assertEquals(true, c.audit().failClosed());
    assertEquals(1L, c.credentials().reloadIntervalSeconds());
    c.checkForServe();
  }

  private static TestServer startTls() {
    return TestServer.start(
        TestServer.newDataDir(),
        new MutableClock(),
        c ->
            c.withServer(
                new Config.Server(
                    "127.0.0.1",
                    0,
                    65536L,
                    new Config.Tls(certificate.toString(), privateKey.toString()),
                    null)));
  }

  private static KmsClient client(TestServer server, TrustManager[] trust) {
    UrlConnectionHttpClient.Builder http = UrlConnectionHttpClient.builder();
    if (trust != null) {
      http.tlsTrustManagersProvider(() -> trust);
    }
    return KmsClient.builder()
        .endpointOverride(server.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(TestServer.ACCESS_KEY_ID, TestServer.SECRET_ACCESS_KEY)))
        .httpClient(http.build())
        .overrideConfiguration(c -> c.retryPolicy(RetryPolicy.none()))
        .build();
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
