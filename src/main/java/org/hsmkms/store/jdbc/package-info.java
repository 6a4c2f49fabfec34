/**
 * The JDBC implementation of the metadata store: {@link org.hsmkms.store.jdbc.JdbcMetadataStore}
 * over an embedded SQLite file by default, with portable SQL and versioned {@link
 * org.hsmkms.store.jdbc.Migrations} so that PostgreSQL can follow. Nothing outside this package
 * sees JDBC.
 */
package org.hsmkms.store.jdbc;
