package org.hsmkms.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The credentials file format: what parses, what is refused (with its line), and writing. */
class CredentialsFileTest {
  private static final String ENTRY =
      "[AKIAEXAMPLE1]\naccount = 111122223333\n"
          + "principal = arn:aws:iam::111122223333:user/alice\nsecret = hsm:v1:AAAA\n";

  @Test
  void parse_readsEntriesSkippingCommentsAndBlankLines() {
    List<CredentialsFile.Entry> entries =
        CredentialsFile.parse(
            "# comment\n; other\n\n"
                + ENTRY
                + "\n[AKIAEXAMPLE2]\naccount=444455556666\nprincipal=arn:aws:iam::444455556666:role/r\n"
                + "secret=hsm:v1:BBBB\n");

    assertEquals(
        List.of(
            new CredentialsFile.Entry(
                "AKIAEXAMPLE1",
                "111122223333",
                "arn:aws:iam::111122223333:user/alice",
                "hsm:v1:AAAA"),
            new CredentialsFile.Entry(
                "AKIAEXAMPLE2", "444455556666", "arn:aws:iam::444455556666:role/r", "hsm:v1:BBBB")),
        entries);
  }

  @Test
  void parse_principalInAnotherAccount_isRefusedWithItsLine() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                CredentialsFile.parse(
                    "\n"
                        + ENTRY
                            .replace("user/alice", "x")
                            .replace(
                                "arn:aws:iam::111122223333:x",
                                "arn:aws:iam::999999999999:user/alice")));

    assertTrue(e.getMessage().startsWith("line 2: [AKIAEXAMPLE1]: principal"), e.getMessage());
  }

  @Test
  void parse_duplicateAccessKeyId_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> CredentialsFile.parse(ENTRY + ENTRY));
  }

  @Test
  void parse_missingSecret_isRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> CredentialsFile.parse(ENTRY.replace("secret = hsm:v1:AAAA\n", "")));
  }

  @Test
  void parse_unknownSetting_isRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> CredentialsFile.parse(ENTRY + "password = x\n"));

    assertTrue(e.getMessage().contains("unknown setting 'password'"), e.getMessage());
  }

  @Test
  void parse_settingOutsideASection_isRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> CredentialsFile.parse("account = 111122223333\n" + ENTRY));
  }

  @Test
  void parse_invalidAccount_isRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> CredentialsFile.parse(ENTRY.replace("account = 111122223333", "account = 12")));
  }

  @Test
  void write_thenRead_givesTheSameEntries_inAFileOnlyTheOwnerCanRead(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("creds");
    List<CredentialsFile.Entry> entries = CredentialsFile.parse(ENTRY);

    CredentialsFile.write(file, new CredentialsFile.Contents(entries, List.of()));

    assertEquals(entries, CredentialsFile.read(file));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    try (var files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList(), "no temporary file left behind");
    }
  }

  @Test
  void entry_toString_showsNoSealedSecret() {
    CredentialsFile.Entry e = CredentialsFile.parse(ENTRY).get(0);

    assertTrue(!e.toString().contains("hsm:v1"), e.toString());
  }

  private static final String POLICY_JSON =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kms:*\","
          + "\"Resource\":\"*\"}]}";
  private static final String POLICY =
      "[policy arn:aws:iam::111122223333:user/alice]\ndocument = "
          + java.util.Base64.getEncoder().encodeToString(POLICY_JSON.getBytes())
          + "\nseal = hsm:v1:CCCC\n";

  @Test
  void parse_readsPolicySections_beside_theAccessKeys() {
    CredentialsFile.Contents contents = CredentialsFile.parseAll(ENTRY + "\n" + POLICY);

    assertEquals(CredentialsFile.parse(ENTRY), contents.entries());
    assertEquals(
        List.of(
            new CredentialsFile.PolicyEntry(
                "arn:aws:iam::111122223333:user/alice", POLICY_JSON, "hsm:v1:CCCC")),
        contents.policies());
  }

  @Test
  void policySection_withAnAccessKeySetting_isRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> CredentialsFile.parseAll(POLICY + "secret = hsm:v1:AAAA\n"));
    assertTrue(e.getMessage().contains("expected document or seal"), e.getMessage());
  }

  @Test
  void policySection_withoutSeal_orNotBase64_orTwice_orForNoArn_isRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> CredentialsFile.parseAll(POLICY.replace("seal = hsm:v1:CCCC\n", "")));
    assertThrows(
        IllegalArgumentException.class,
        () -> CredentialsFile.parseAll(POLICY.replace("document = ", "document = %%")));
    assertThrows(IllegalArgumentException.class, () -> CredentialsFile.parseAll(POLICY + POLICY));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            CredentialsFile.parseAll(
                POLICY.replace("arn:aws:iam::111122223333:user/alice", "alice")));
  }

  @Test
  void write_thenReadAll_givesTheSamePolicies_withTheDocumentInBase64(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("creds");
    CredentialsFile.Contents contents = CredentialsFile.parseAll(ENTRY + POLICY);

    CredentialsFile.write(file, contents);

    assertEquals(contents, CredentialsFile.readAll(file));
    assertTrue(!Files.readString(file).contains("kms:*"), "the JSON is stored in base64");
  }
}
