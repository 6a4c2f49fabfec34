package org.hsmkms.auth;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The server's credentials file: one INI section per access key id, with the account, the principal
 * ARN and the secret sealed by {@link SecretSealer}; and one section per principal that has an
 * identity policy, with the policy's JSON in base64 and its seal by {@link PolicySealer}.
 *
 * <pre>
 * [AKIAIOSFODNN7EXAMPLE]
 * account = 111122223333
 * principal = arn:aws:iam::111122223333:user/alice
 * secret = hsm:v1:BASE64(IV | CIPHERTEXT | TAG)
 *
 * [policy arn:aws:iam::111122223333:user/alice]
 * document = BASE64(JSON)
 * seal = hsm:v1:BASE64(IV | CIPHERTEXT | TAG)
 * </pre>
 *
 * <p>Security: the file holds no secret in the clear. It is written to a temporary file (mode 600)
 * and moved over the old one, so a reader never sees half a file.
 */
public final class CredentialsFile {
  static final Pattern ACCESS_KEY_ID = Pattern.compile("[A-Za-z0-9_]{3,128}");
  static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
  static final Pattern PRINCIPAL =
      Pattern.compile("arn:aws[a-z-]*:(iam|sts)::(\\d{12}):[A-Za-z0-9+=,.@_/:-]{1,512}");
  private static final int MAX_BYTES = 4 * 1024 * 1024;
  private static final String POLICY_SECTION = "policy ";

  private CredentialsFile() {}

  /** One entry as stored: the secret still sealed. */
  public record Entry(
      String accessKeyId, String account, String principalArn, String sealedSecret) {
    public Entry {
      check(ACCESS_KEY_ID, accessKeyId, "access key id");
      check(ACCOUNT, account, "account");
      var m = PRINCIPAL.matcher(principalArn == null ? "" : principalArn);
      if (!m.matches()) {
        throw new IllegalArgumentException(
            "principal must be an IAM ARN such as"
                + " arn:aws:iam::"
                + account
                + ":user/NAME, not '"
                + principalArn
                + "'");
      }
      if (!m.group(2).equals(account)) {
        throw new IllegalArgumentException(
            "principal " + principalArn + " is not in account " + account);
      }
      if (sealedSecret == null || sealedSecret.isEmpty()) {
        throw new IllegalArgumentException("secret missing");
      }
    }

    @Override
    public String toString() {
      return "Entry[" + accessKeyId + ", " + account + ", " + principalArn + "]";
    }
  }

  /**
   * A principal's identity policy as stored: the JSON text (base64 in the file) and its seal, not
   * yet verified.
   */
  public record PolicyEntry(String principalArn, String document, String seal) {
    public PolicyEntry {
      if (principalArn == null || !PRINCIPAL.matcher(principalArn).matches()) {
        throw new IllegalArgumentException("invalid principal '" + principalArn + "'");
      }
      if (document == null || document.isEmpty()) {
        throw new IllegalArgumentException("document missing");
      }
      if (seal == null || seal.isEmpty()) {
        throw new IllegalArgumentException("seal missing");
      }
    }
  }

  /** Everything the file holds: access keys, and identity policies by principal. */
  public record Contents(List<Entry> entries, List<PolicyEntry> policies) {
    public static final Contents EMPTY = new Contents(List.of(), List.of());

    public Contents {
      entries = List.copyOf(entries);
      policies = List.copyOf(policies);
    }
  }

  private static void check(Pattern p, String value, String what) {
    if (value == null || !p.matcher(value).matches()) {
      throw new IllegalArgumentException("invalid " + what + " '" + value + "'");
    }
  }

  /** Reads every entry; a malformed file is an {@link IllegalArgumentException} naming the line. */
  public static List<Entry> read(Path file) throws IOException {
    return readAll(file).entries();
  }

  /** Reads access keys and identity policies; a malformed file is refused as by {@link #read}. */
  public static Contents readAll(Path file) throws IOException {
    if (Files.size(file) > MAX_BYTES) {
      throw new IllegalArgumentException(file + " is larger than " + MAX_BYTES + " bytes");
    }
    return parseAll(Files.readString(file, StandardCharsets.UTF_8));
  }

  static List<Entry> parse(String text) {
    return parseAll(text).entries();
  }

  static Contents parseAll(String text) {
    List<Entry> entries = new ArrayList<>();
    List<PolicyEntry> policies = new ArrayList<>();
    Map<String, Object> seen = new LinkedHashMap<>();
    String section = null;
    Map<String, String> values = new LinkedHashMap<>();
    int sectionLine = 0;
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("[") && line.endsWith("]")) {
        if (section != null) {
          add(entries, policies, seen, section, values, sectionLine);
        }
        section = line.substring(1, line.length() - 1).strip();
        values = new LinkedHashMap<>();
        sectionLine = i + 1;
        continue;
      }
      int eq = line.indexOf('=');
      if (section == null || eq <= 0) {
        throw new IllegalArgumentException(
            "line " + (i + 1) + ": expected [ACCESS_KEY_ID] or" + " name = value");
      }
      String name = line.substring(0, eq).strip();
      boolean policy = section.startsWith(POLICY_SECTION);
      if (!(policy ? List.of("document", "seal") : List.of("account", "principal", "secret"))
          .contains(name)) {
        throw new IllegalArgumentException(
            "line "
                + (i + 1)
                + ": unknown setting '"
                + name
                + (policy
                    ? "' (expected document or seal)"
                    : "' (expected account, principal or secret)"));
      }
      if (values.put(name, line.substring(eq + 1).strip()) != null) {
        throw new IllegalArgumentException("line " + (i + 1) + ": " + name + " given twice");
      }
    }
    if (section != null) {
      add(entries, policies, seen, section, values, sectionLine);
    }
    return new Contents(entries, policies);
  }

  private static void add(
      List<Entry> entries,
      List<PolicyEntry> policies,
      Map<String, Object> seen,
      String section,
      Map<String, String> values,
      int line) {
    if (section.startsWith(POLICY_SECTION)) {
      String principal = section.substring(POLICY_SECTION.length()).strip();
      PolicyEntry p;
      try {
        p = new PolicyEntry(principal, decode(values.get("document")), values.get("seal"));
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException(
            "line " + line + ": [" + section + "]: " + ex.getMessage());
      }
      if (seen.put(section, p) != null) {
        throw new IllegalArgumentException(
            "line " + line + ": a policy of " + principal + " appears twice");
      }
      policies.add(p);
      return;
    }
    Entry e;
    try {
      e = new Entry(section, values.get("account"), values.get("principal"), values.get("secret"));
    } catch (IllegalArgumentException ex) {
      throw new IllegalArgumentException(
          "line " + line + ": [" + section + "]: " + ex.getMessage());
    }
    if (seen.put(e.accessKeyId(), e) != null) {
      throw new IllegalArgumentException(
          "line " + line + ": access key id " + section + " appears twice");
    }
    entries.add(e);
  }

  private static String decode(String base64) {
    if (base64 == null || base64.isEmpty()) {
      return null;
    }
    try {
      return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("document is not valid base64");
    }
  }

  /** Writes all access keys and identity policies, replacing the file atomically. */
  public static void write(Path file, Contents contents) throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append("# hsm-kms credentials: access key id -> account, principal and secret;\n")
        .append("# [policy ARN] -> the principal's identity policy (base64 JSON) and its seal.\n")
        .append(
            "# Secrets and seals are made (AES-256-GCM) under a key that never leaves the HSM;\n")
        .append("# manage entries with: hsm-kms credentials add|remove|list|policy.\n")
        .append("# The service reloads this file when it changes.\n");
    for (Entry e : contents.entries()) {
      sb.append('\n')
          .append('[')
          .append(e.accessKeyId())
          .append("]\n")
          .append("account = ")
          .append(e.account())
          .append('\n')
          .append("principal = ")
          .append(e.principalArn())
          .append('\n')
          .append("secret = ")
          .append(e.sealedSecret())
          .append('\n');
    }
    for (PolicyEntry p : contents.policies()) {
      sb.append('\n')
          .append('[')
          .append(POLICY_SECTION)
          .append(p.principalArn())
          .append("]\n")
          .append("document = ")
          .append(Base64.getEncoder().encodeToString(p.document().getBytes(StandardCharsets.UTF_8)))
          .append('\n')
          .append("seal = ")
          .append(p.seal())
          .append('\n');
    }
    writeAtomically(file, sb.toString());
  }

  /** Writes {@code text} to a new file (mode 600 where POSIX) and moves it over {@code file}. */
  public static void writeAtomically(Path file, String text) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
    try {
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system; the directory's permissions protect the file
      }
      // Complete and on disk before it replaces the old file.
      try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          out.write(bytes);
        }
        out.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
