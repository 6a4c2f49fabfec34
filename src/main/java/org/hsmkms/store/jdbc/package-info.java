/**
 * The JDBC implementation of the metadata store: {@link org.hsmkms.store.jdbc.JdbcMetadataStore}
 * over an embedded SQLite file by default, with portable SQL and versioned {@link
 * org.hsmkms.store.jdbc.Migrations} so that PostgreSQL can follow. Nothing outside this package
 * sees JDBC.
 *
 * <p>The store hands each call to the {@code *Transactions} class of its domain, which checks
 * arguments and chooses connection and transaction ({@code Connections}, {@code Jdbc}); the SQL of
 * each table family is in one class: {@code KeyRows} (keys and their materials), {@code AliasRows},
 * {@code TagRows}, with the shared column encodings in {@code Columns}.
 */
package org.hsmkms.store.jdbc;
