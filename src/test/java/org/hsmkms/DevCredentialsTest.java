package org.hsmkms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.hsmkms.auth.CredentialsAdmin;
import org.hsmkms.auth.CredentialsFile;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;
import org.hsmkms.testing.SuiteSecrets;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;

/**
 * The access key of {@code dev}: generated on first start and kept afterwards, or a fixed pair that
 * replaces it; registered sealed in the server's file and written for clients in the AWS
 * shared-credentials format (profile hsm-kms).
 */
class DevCredentialsTest {
  private static final String ACCOUNT = "111122223333";
  private static final String PRINCIPAL = "arn:aws:iam::111122223333:user/hsm-kms-dev";
  private static final String FIXED_SECRET = "fixed-dev-secret-for-scripts";

  static {
    SuiteSecrets.secret(FIXED_SECRET);
  }

  private final Path dir = TestServer.newDataDir();

  @Test
  void firstStart_generatesAKey_laterStartsKeepIt() throws Exception {
    TestServer.withHsm(
        hsm -> {
          CredentialsAdmin admin = admin(hsm);

          DevCredentials.Result first = prepare(admin, null, null);
          String[] profile = DevCredentials.readProfile(dir.resolve("credentials"));
          SuiteSecrets.secret(profile[1]);
          DevCredentials.Result second = prepare(admin, null, null);

          assertTrue(first.generated());
          assertFalse(second.generated());
          assertEquals(first.accessKeyId(), second.accessKeyId());
          assertEquals(first.accessKeyId(), profile[0]);
          assertTrue(
              admin.holds(
                  profile[0], ACCOUNT, PRINCIPAL, profile[1].getBytes(StandardCharsets.UTF_8)));
          assertEquals(1, admin.list().size());
        });
  }

  @Test
  void clientFile_isAnAwsProfileWithRegionAndEndpoint_readableOnlyByItsOwner() throws Exception {
    TestServer.withHsm(
        hsm -> {
          prepare(admin(hsm), null, null);
          Path file = dir.resolve("credentials");
          SuiteSecrets.secret(DevCredentials.readProfile(file)[1]);

          List<String> lines = Files.readAllLines(file);
          assertTrue(lines.contains("[hsm-kms]"), lines.toString());
          assertTrue(lines.stream().anyMatch(l -> l.startsWith("aws_access_key_id = AKIA")));
          assertTrue(lines.stream().anyMatch(l -> l.startsWith("aws_secret_access_key = ")));
          assertTrue(lines.contains("region = eu-west-3"));
          assertTrue(lines.contains("endpoint_url = http://127.0.0.1:4599"));
          assertEquals(
              "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        });
  }

  @Test
  void fixedPair_replacesTheGeneratedOne() throws Exception {
    TestServer.withHsm(
        hsm -> {
          CredentialsAdmin admin = admin(hsm);
          DevCredentials.Result generated = prepare(admin, null, null);
          SuiteSecrets.secret(DevCredentials.readProfile(dir.resolve("credentials"))[1]);

          DevCredentials.Result fixed =
              prepare(admin, "AKIAFIXEDFORSCRIPTS", FIXED_SECRET.getBytes(StandardCharsets.UTF_8));

          assertFalse(fixed.generated());
          assertEquals("AKIAFIXEDFORSCRIPTS", fixed.accessKeyId());
          assertArrayEquals(
              new String[] {"AKIAFIXEDFORSCRIPTS", FIXED_SECRET},
              DevCredentials.readProfile(dir.resolve("credentials")));
          List<CredentialsFile.Entry> entries = admin.list();
          assertEquals(
              List.of("AKIAFIXEDFORSCRIPTS"),
              entries.stream().map(CredentialsFile.Entry::accessKeyId).toList(),
              "the generated key " + generated.accessKeyId() + " is gone");
          assertFalse(Files.readString(dir.resolve("server-credentials")).contains(FIXED_SECRET));
        });
  }

  @Test
  void devPrincipal_isGivenTheAdminPolicy_andAPolicySetOnItSinceIsKept() throws Exception {
    TestServer.withHsm(
        hsm -> {
          CredentialsAdmin admin = admin(hsm);
          prepare(admin, null, null);
          SuiteSecrets.secret(DevCredentials.readProfile(dir.resolve("credentials"))[1]);
          assertEquals(
              java.util.Optional.of(CredentialsAdmin.ADMIN_POLICY), admin.policy(PRINCIPAL));

          String readOnly =
              "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                  + "\"Action\":\"kms:DescribeKey\",\"Resource\":\"*\"}]}";
          admin.setPolicy(PRINCIPAL, readOnly);
          prepare(admin, null, null);
          assertEquals(java.util.Optional.of(readOnly), admin.policy(PRINCIPAL));

          admin.removePolicy(PRINCIPAL);
          prepare(admin, null, null);
          assertEquals(
              java.util.Optional.of(CredentialsAdmin.ADMIN_POLICY), admin.policy(PRINCIPAL));
        });
  }

  @Test
  void fixedPair_getsTheAdminPolicy() throws Exception {
    TestServer.withHsm(
        hsm -> {
          CredentialsAdmin admin = admin(hsm);
          prepare(admin, "AKIAFIXEDFORSCRIPTS", FIXED_SECRET.getBytes(StandardCharsets.UTF_8));

          assertEquals(
              java.util.Optional.of(CredentialsAdmin.ADMIN_POLICY), admin.policy(PRINCIPAL));
        });
  }

  private CredentialsAdmin admin(Pkcs11Hsm hsm) {
    return new CredentialsAdmin(dir.resolve("server-credentials"), hsm.serviceKeys(), hsm.random());
  }

  private DevCredentials.Result prepare(CredentialsAdmin admin, String id, byte[] secret)
      throws IOException {
    return DevCredentials.prepare(
        dir, admin, ACCOUNT, "eu-west-3", "http://127.0.0.1:4599", id, secret);
  }
}
