package org.hsmkms;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.hsmkms.auth.CredentialsAdmin;
import org.hsmkms.auth.CredentialsFile;

/**
 * The access key of a {@code dev} server: chosen (given, kept from an earlier start, or generated
 * in the HSM), registered in the server's credentials file ({@code DIR/server-credentials}, secret
 * sealed in the token), and written for clients to {@code DIR/credentials} in the AWS
 * shared-credentials format, profile {@code hsm-kms}. Its principal is an administrator of its
 * account: it is given {@link CredentialsAdmin#ADMIN_POLICY} as its identity policy when it has
 * none (a policy set on it since is kept).
 *
 * <p>Security: {@code DIR/credentials} holds the secret in the clear, as every AWS credentials file
 * does; it is mode 600 in a mode-700 directory and serves a development token only.
 */
public final class DevCredentials {
  public static final String PROFILE = "hsm-kms";
  public static final String SERVER_FILE = "server-credentials";
  public static final String CLIENT_FILE = "credentials";

  private DevCredentials() {}

  /** The chosen access key id (the secret stays in the files). */
  public record Result(String accessKeyId, boolean generated) {}

  /**
   * @param accessKeyId a fixed pair's id, or null
   * @param secret a fixed pair's secret, or null; zeroed by this method
   */
  public static Result prepare(
      Path dataDir,
      CredentialsAdmin admin,
      String account,
      String region,
      String endpoint,
      String accessKeyId,
      byte[] secret)
      throws IOException {
    Path clientFile = dataDir.resolve(CLIENT_FILE);
    String principal = "arn:aws:iam::" + account + ":user/hsm-kms-dev";
    String[] previous = readProfile(clientFile);
    boolean generated = false;
    try {
      if (accessKeyId == null) {
        if (previous != null) {
          accessKeyId = previous[0];
          secret = previous[1].getBytes(StandardCharsets.UTF_8);
        } else {
          CredentialsAdmin.NewKey key = admin.generate();
          accessKeyId = key.accessKeyId();
          secret = key.secret();
          generated = true;
        }
      }
      boolean hasPolicy = admin.principalsWithPolicy().contains(principal);
      if (!admin.holds(accessKeyId, account, principal, secret)) {
        admin.put(
            accessKeyId,
            account,
            principal,
            secret,
            hasPolicy ? null : CredentialsAdmin.ADMIN_POLICY);
      } else if (!hasPolicy) {
        admin.setPolicy(principal, CredentialsAdmin.ADMIN_POLICY);
      }
      if (previous != null && !previous[0].equals(accessKeyId)) {
        // A fixed pair replaces the one written earlier.
        admin.remove(previous[0]);
      }
      String text =
          "# Written by 'hsm-kms dev' for its development server; profile "
              + PROFILE
              + ".\n# Use: AWS_SHARED_CREDENTIALS_FILE="
              + clientFile
              + " aws --profile "
              + PROFILE
              + " kms list-keys\n"
              + "["
              + PROFILE
              + "]\n"
              + "aws_access_key_id = "
              + accessKeyId
              + "\n"
              + "aws_secret_access_key = "
              + new String(secret, StandardCharsets.UTF_8)
              + "\n"
              + "region = "
              + region
              + "\n"
              + "endpoint_url = "
              + endpoint
              + "\n";
      CredentialsFile.writeAtomically(clientFile, text);
      return new Result(accessKeyId, generated);
    } finally {
      if (secret != null) {
        Arrays.fill(secret, (byte) 0);
      }
    }
  }

  /** {access key id, secret} of the profile in an AWS credentials file, or null. */
  public static String[] readProfile(Path file) throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    String id = null;
    String secret = null;
    boolean inProfile = false;
    for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String line = raw.strip();
      if (line.startsWith("[")) {
        inProfile = line.equals("[" + PROFILE + "]");
      } else if (inProfile && line.contains("=")) {
        String name = line.substring(0, line.indexOf('=')).strip();
        String value = line.substring(line.indexOf('=') + 1).strip();
        if (name.equals("aws_access_key_id")) {
          id = value;
        } else if (name.equals("aws_secret_access_key")) {
          secret = value;
        }
      }
    }
    return id == null || secret == null || id.isEmpty() || secret.isEmpty()
        ? null
        : new String[] {id, secret};
  }
}
