package org.hsmkms.kms;

import java.time.Instant;
import java.util.List;

/** What DescribeKey and CreateKey report about a key, in AWS's terms. */
public record KeyMetadata(
    String account,
    String keyId,
    String arn,
    Instant creationDate,
    boolean enabled,
    String description,
    String keyUsage,
    String keyState,
    Instant deletionDate,
    String origin,
    String keySpec,
    List<String> encryptionAlgorithms) {}
