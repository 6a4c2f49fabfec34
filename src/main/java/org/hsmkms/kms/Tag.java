package org.hsmkms.kms;

/** A key tag. */
public record Tag(String key, String value) {}
