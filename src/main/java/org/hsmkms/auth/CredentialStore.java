package org.hsmkms.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
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
 * that is missing or cannot be read or parsed fails closed: the table is emptied (every access key
 * is refused) and the node is not ready ({@link #checkUsable}) until a good file is loaded again;
 * the old table is not kept, as it may hold a key removed just before the file was damaged. An
 * entry whose secret does not open is left out and reported by access key id.
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

  /** What {@link #table} and {@link #policies} were made from (a stamp's file, or a subset). */
  private CredentialsFile.Contents loaded = CredentialsFile.Contents.EMPTY;

  /** The stamp of the file the table is from; null while no usable file is loaded. */
  private Object loadedStamp;

  /** The stamp of a file that was refused as it is (missing or invalid): not read again. */
  private Object failedStamp;

  private boolean everLoaded;

  /** Why no usable file is loaded (for readiness); null when one is. */
  private volatile String unusable;

  /** The last failure logged, so that each is logged once and not at every check. */
  private String lastLogged;

  private static final String MISSING = "missing";

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
   * <p>Fails closed: a file that is missing, unreadable or does not parse empties the table (every
   * access key is refused, the node is not ready: {@link #checkUsable}) until a good file is back.
   * The old table is not kept, since it may hold a key that was removed just before the damage.
   * When the HSM cannot open the secrets of a file that parsed, only the keys and policies that are
   * unchanged since the last load stay, so a removal still takes effect.
   *
   * @return false if the file is not usable or could not be loaded
   */
  public synchronized boolean reloadIfChanged() {
    Object stamp;
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      stamp = List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey()));
    } catch (NoSuchFileException e) {
      return failClosed(MISSING, "credentials file " + file + " is missing");
    } catch (IOException e) {
      return failClosed(null, "credentials file " + file + " cannot be read: " + e);
    }
    if (Objects.equals(stamp, loadedStamp)) {
      return true;
    }
    if (Objects.equals(stamp, failedStamp)) {
      return false; // the same damaged file: refused and logged already
    }
    List<CredentialsFile.Entry> entries;
    CredentialsFile.Contents contents;
    try {
      contents = CredentialsFile.readAll(file);
      entries = contents.entries();
    } catch (IOException | IllegalArgumentException e) {
      return failClosed(stamp, "credentials file " + file + " is not valid: " + e.getMessage());
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
        // The HSM failed (e.g. the service key is missing): keep what is unchanged, retry later.
        next.values().forEach(Credential::destroy);
        return keepUnchanged(
            contents, "the HSM could not open access key " + entry.accessKeyId() + ": " + e);
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
        next.values().forEach(Credential::destroy);
        return keepUnchanged(
            contents,
            "the HSM could not verify the identity policy of " + policy.principalArn() + ": " + e);
      }
    }
    // Old credentials are not zeroed here: a verification on the event loop may still hold one.
    table = Map.copyOf(next);
    policies = Map.copyOf(nextPolicies);
    loaded = contents;
    boolean first = !everLoaded;
    everLoaded = true;
    loadedStamp = stamp;
    failedStamp = null;
    unusable = null;
    lastLogged = null;
    LOG.info(
        "credentials file {} {}: {} access keys, {} identity policies{}",
        file,
        first ? "loaded" : "reloaded",
        next.size(),
        nextPolicies.size(),
        rejected > 0 ? ", " + rejected + " left out" : "");
    return true;
  }

  /**
   * Passes while the file was loaded at its last check; throws, naming the file and what is wrong
   * with it (never its contents), while it is missing, unreadable or invalid and every key is
   * refused.
   */
  public void checkUsable() {
    String reason = unusable;
    if (reason != null) {
      throw new IllegalStateException(reason);
    }
  }

  /** No usable file: every key is refused until a good file is loaded. Logged once per change. */
  private boolean failClosed(Object stamp, String reason) {
    int refused = table.size();
    table = Map.of();
    policies = Map.of();
    loaded = CredentialsFile.Contents.EMPTY;
    loadedStamp = null;
    failedStamp = stamp;
    unusable = reason;
    if (!reason.equals(lastLogged)) {
      lastLogged = reason;
      LOG.error(
          "{}; failing closed: every access key is refused until it is fixed ({} were loaded)",
          reason,
          refused);
    }
    return false;
  }

  /**
   * The file parsed but the HSM failed: of the loaded keys and policies, those unchanged in the new
   * file stay, the others (removed or changed) go; loaded again at the next check.
   */
  private boolean keepUnchanged(CredentialsFile.Contents contents, String reason) {
    Map<String, Credential> kept = new HashMap<>();
    List<CredentialsFile.Entry> keptEntries = new ArrayList<>();
    for (CredentialsFile.Entry e : contents.entries()) {
      Credential c = table.get(e.accessKeyId());
      if (c != null && loaded.entries().contains(e)) {
        kept.put(e.accessKeyId(), c);
        keptEntries.add(e);
      }
    }
    Map<String, PolicyDocument> keptPolicies = new HashMap<>();
    List<CredentialsFile.PolicyEntry> keptPolicyEntries = new ArrayList<>();
    for (CredentialsFile.PolicyEntry p : contents.policies()) {
      PolicyDocument d = policies.get(p.principalArn());
      if (d != null && loaded.policies().contains(p)) {
        keptPolicies.put(p.principalArn(), d);
        keptPolicyEntries.add(p);
      }
    }
    table = Map.copyOf(kept);
    policies = Map.copyOf(keptPolicies);
    loaded = new CredentialsFile.Contents(keptEntries, keptPolicyEntries);
    String message = "credentials file " + file + " not loaded: " + reason;
    if (!message.equals(lastLogged)) {
      lastLogged = message;
      LOG.error("{}; {} unchanged access keys stay until it loads", message, kept.size());
    }
    return false;
  }

  /** Forgets and zeroes every credential (at shutdown). */
  public synchronized void close() {
    Map<String, Credential> old = table;
    table = Map.of();
    old.values().forEach(Credential::destroy);
  }
}
