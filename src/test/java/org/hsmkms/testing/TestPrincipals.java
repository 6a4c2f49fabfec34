package org.hsmkms.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.hsmkms.auth.CredentialStore;
import org.hsmkms.auth.CredentialsAdmin;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * Principals an operator adds to a running test server, the way {@code hsm-kms credentials add} and
 * {@code credentials policy set|remove} do: an access key naming a principal ARN in an account, and
 * optionally the principal's identity policy, sealed in the server's own token. Every change is
 * reloaded by the server before the method returns (no sleep: the same {@link
 * CredentialStore#reloadIfChanged()} the server's timer calls), so the next request sees it.
 *
 * <p>Use a server of the test class's own ({@code TestServer.start(TestServer.newDataDir())}) so
 * that these principals do not disturb other tests.
 */
public final class TestPrincipals {
  private final TestServer server;

  public TestPrincipals(TestServer server) {
    this.server = server;
  }

  /** A principal with one access key on {@link #server}. */
  public record Principal(
      TestServer server, String accessKeyId, String secret, String account, String arn) {
    /** An SDK client signing as this principal, us-east-1, no retries. */
    public KmsClient client() {
      return server.client(Region.US_EAST_1, accessKeyId, secret);
    }

    /** How {@link TestServer#post(String, String, TestServer.Signing)} signs as this principal. */
    public TestServer.Signing signing() {
      return new TestServer.Signing().key(accessKeyId, secret);
    }

    /** POSTs raw JSON as {@code TrentService.<operation>}, signed as this principal. */
    public TestServer.RawResponse post(String operation, String json) {
      return server.post("TrentService." + operation, json, signing());
    }

    /** The ARN of this principal's account root, as a key policy names the account. */
    public String accountRoot() {
      return "arn:aws:iam::" + account + ":root";
    }

    @Override
    public String toString() {
      return "Principal[" + arn + ", " + accessKeyId + ", secret=[REDACTED]]";
    }
  }

  /**
   * Adds {@code arn:aws:iam::ACCOUNT:user/NAME} with an access key of its own and, unless {@code
   * identityPolicy} is null, that identity policy.
   */
  public Principal user(String account, String name, String identityPolicy) {
    String arn = "arn:aws:iam::" + account + ":user/" + name;
    String id = "AKIDIT" + (account + name).toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "");
    String secret = "it-secret-" + account + "-" + name + "-0123456789";
    SuiteSecrets.secret(secret);
    edit(
        admin ->
            admin.put(id, account, arn, secret.getBytes(StandardCharsets.UTF_8), identityPolicy));
    return new Principal(server, id, secret, account, arn);
  }

  /** The principal of {@link TestServer#ACCESS_KEY_ID} (account {@link TestServer#ACCOUNT}). */
  public Principal testPrincipal() {
    return new Principal(
        server,
        TestServer.ACCESS_KEY_ID,
        TestServer.SECRET_ACCESS_KEY,
        TestServer.ACCOUNT,
        TestServer.PRINCIPAL);
  }

  /** The principal of {@link TestServer#OTHER_ACCESS_KEY_ID} ({@link TestServer#OTHER_ACCOUNT}). */
  public Principal otherAccountPrincipal() {
    return new Principal(
        server,
        TestServer.OTHER_ACCESS_KEY_ID,
        TestServer.OTHER_SECRET_ACCESS_KEY,
        TestServer.OTHER_ACCOUNT,
        TestServer.OTHER_PRINCIPAL);
  }

  /** Sets (or replaces) the identity policy of {@code principalArn}, as {@code policy set}. */
  public void setPolicy(String principalArn, String identityPolicy) {
    edit(admin -> admin.setPolicy(principalArn, identityPolicy));
  }

  /** Removes the identity policy of {@code principalArn}, as {@code policy remove}. */
  public void removePolicy(String principalArn) {
    edit(admin -> admin.removePolicy(principalArn));
  }

  /** Gives the two built-in test principals {@code kms:*} on {@code *}, as {@code --admin} does. */
  public void makeTestPrincipalsAdmins() {
    setPolicy(TestServer.PRINCIPAL, CredentialsAdmin.ADMIN_POLICY);
    setPolicy(TestServer.OTHER_PRINCIPAL, CredentialsAdmin.ADMIN_POLICY);
  }

  @FunctionalInterface
  private interface Edit {
    void apply(CredentialsAdmin admin) throws IOException;
  }

  private void edit(Edit edit) {
    Pkcs11Hsm hsm = server.app().hsm();
    CredentialsAdmin admin =
        new CredentialsAdmin(server.credentialsFile(), hsm.serviceKeys(), hsm.random());
    try {
      edit.apply(admin);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    reload();
  }

  /**
   * Has the server load its credentials file now. The file is replaced by an atomic move at each
   * change, so its identity changes and the reload cannot miss it.
   */
  public void reload() {
    if (!server.app().credentials().reloadIfChanged()) {
      throw new IllegalStateException("the server did not load " + server.credentialsFile());
    }
  }
}
