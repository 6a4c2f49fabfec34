package org.hsmkms.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.hsmkms.authz.MalformedPolicyException;
import org.hsmkms.authz.PolicyDocument;
import org.hsmkms.authz.PolicyKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access keys the service accepts, read from the credentials file and reloaded when the file
 * changes (its modification time, size or identity), without a restart.
 *
 * <p>Lookups ({@link #find}) are lock-free reads of an immutable map and run on the event loop.
 * Loading opens every secret in the HSM, so {@link #reloadIfChanged()} runs on a worker. A file
 * that cannot be read or parsed leaves the current table in place (and is tried again at the next
 * check); an entry whose secret does not open is left out and reported by access key id.
 *
 * <p>The identity policies of principals are loaded with the keys, parsed once, and replaced with
 * them in one step. A policy whose seal does not verify ({@link PolicySealer}) or that does not
 * parse is left out and logged: its principal then has no identity policy (least privilege).
 *
 * <p>Security: secrets live only inside {@link Credential}s; nothing here logs one.
 */
public final class CredentialStore
    implements SigV4Authenticator.CredentialLookup, IdentityPolicies {
  private static final Logger LOG = LoggerFactory.getLogger(CredentialStore.class);

  private final Path file;
  private final SecretSealer sealer;
  private final PolicySealer policySealer;
  private volatile Map<String, Credential> table = Map.of();
  private volatile Map<String, PolicyDocument> policies = Map.of();
  private Object loadedStamp;

  public CredentialStore(Path file, SecretSealer sealer) {
    this.file = file;
    this.sealer = sealer;
    this.policySealer = sealer.policySealer();
  }

  public Path file() {
    return file;
  }

  @Override
  public Credential find(String accessKeyId) {
    return table.get(accessKeyId);
  }

  /**
   * The identity policy of a principal, as last loaded; empty if it has none, or if its stored
   * policy was refused.
   */
  @Override
  public Optional<PolicyDocument> identityPolicy(String principalArn) {
    return Optional.ofNullable(policies.get(principalArn));
  }

  /** How many access keys are active. */
  public int size() {
    return table.size();
  }

  /**
   * Loads the file at start-up.
   *
   * @throws IllegalArgumentException if the file is missing or malformed
   */
  public synchronized void load() {
    if (!Files.exists(file)) {
      throw new IllegalArgumentException(
          "credentials file "
              + file
              + " does not exist; create"
              + " it with: java -jar hsm-kms.jar credentials add --config FILE ...");
    }
    if (!reloadIfChanged()) {
      throw new IllegalArgumentException(
          "credentials file " + file + " could not be loaded" + " (see the log)");
    }
  }

  /**
   * Reloads the file if it changed since the last load.
   *
   * @return false if it changed but could not be loaded (the old table stays)
   */
  public synchronized boolean reloadIfChanged() {
    Object stamp;
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      stamp = List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey()));
    } catch (NoSuchFileException e) {
      stamp = "missing";
    } catch (IOException e) {
      LOG.error("credentials file {}: {}", file, e.toString());
      return false;
    }
    if (Objects.equals(stamp, loadedStamp)) {
      return true;
    }
    if ("missing".equals(stamp)) {
      if (loadedStamp != null) {
        LOG.error(
            "credentials file {} has disappeared; keeping the {} loaded access keys",
            file,
            table.size());
      }
      return false;
    }
    List<CredentialsFile.Entry> entries;
    CredentialsFile.Contents contents;
    try {
      contents = CredentialsFile.readAll(file);
      entries = contents.entries();
    } catch (IOException | IllegalArgumentException e) {
      LOG.error("credentials file {} not loaded: {}", file, e.getMessage());
      return false;
    }
    Map<String, Credential> next = new HashMap<>();
    int rejected = 0;
    for (CredentialsFile.Entry entry : entries) {
      byte[] secret = null;
      try {
        secret = sealer.open(entry);
        next.put(
            entry.accessKeyId(),
            new Credential(entry.accessKeyId(), entry.account(), entry.principalArn(), secret));
      } catch (IllegalArgumentException e) {
        rejected++;
        LOG.error(
            "credentials file {}: access key {} left out: {}",
            file,
            entry.accessKeyId(),
            e.getMessage());
      } catch (RuntimeException e) {
        // The HSM failed (e.g. the service key is missing): keep what we have and retry later.
        LOG.error(
            "credentials file {} not loaded: the HSM could not open access key {}: {}",
            file,
            entry.accessKeyId(),
            e.toString());
        return false;
      } finally {
        if (secret != null) {
          Arrays.fill(secret, (byte) 0);
        }
      }
    }
    Map<String, PolicyDocument> nextPolicies = new HashMap<>();
    for (CredentialsFile.PolicyEntry policy : contents.policies()) {
      try {
        policySealer.verify(policy);
        nextPolicies.put(
            policy.principalArn(),
            PolicyDocument.parse(policy.document(), PolicyKind.IDENTITY_POLICY));
      } catch (IllegalArgumentException | MalformedPolicyException e) {
        rejected++;
        LOG.error(
            "credentials file {}: identity policy of {} left out: {}",
            file,
            policy.principalArn(),
            e.getMessage());
      } catch (RuntimeException e) {
        LOG.error(
            "credentials file {} not loaded: the HSM could not verify the identity policy of {}: {}",
            file,
            policy.principalArn(),
            e.toString());
        next.values().forEach(Credential::destroy);
        return false;
      }
    }
    // Old credentials are not zeroed here: a verification on the event loop may still hold one.
    table = Map.copyOf(next);
    policies = Map.copyOf(nextPolicies);
    boolean first = loadedStamp == null;
    loadedStamp = stamp;
    LOG.info(
        "credentials file {} {}: {} access keys, {} identity policies{}",
        file,
        first ? "loaded" : "reloaded",
        next.size(),
        nextPolicies.size(),
        rejected > 0 ? ", " + rejected + " left out" : "");
    return true;
  }

  /** Forgets and zeroes every credential (at shutdown). */
  public synchronized void close() {
    Map<String, Credential> old = table;
    table = Map.of();
    old.values().forEach(Credential::destroy);
  }
}
