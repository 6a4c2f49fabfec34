package org.hsmkms.config;

/**
 * A {@link Config} being changed by one of its {@code with*} methods: the sections such a method
 * may replace, copied from the original, and {@link #build()} the one place that puts every section
 * back together (so a new section cannot be forgotten by one {@code with*} method).
 */
final class ConfigCopy {
  private final Config original;
  Config.Hsm hsm;
  Config.Server server;
  Config.Store store;
  Config.Credentials credentials;
  Audit audit;
  Config.DataKeyPairs dataKeyPairs;
  Config.Rotation rotation;
  Config.KeyUsage keyUsage;
  Cluster cluster;
  Quotas quotas;
  Connections connections;
  Work work;
  Warmup warmup;

  ConfigCopy(Config c) {
    original = c;
    hsm = c.hsm();
    server = c.server();
    store = c.store();
    credentials = c.credentials();
    audit = c.audit();
    dataKeyPairs = c.dataKeyPairs();
    rotation = c.rotation();
    keyUsage = c.keyUsage();
    cluster = c.cluster();
    quotas = c.quotas();
    connections = c.connections();
    work = c.work();
    warmup = c.warmup();
  }

  /** The configuration with the changed sections, validated again. */
  Config build() {
    return new Config(
        server,
        original.accountId(),
        original.defaultRegion(),
        hsm,
        store,
        original.deletion(),
        credentials,
        audit,
        dataKeyPairs,
        rotation,
        keyUsage,
        cluster,
        quotas,
        connections,
        work,
        warmup);
  }
}
