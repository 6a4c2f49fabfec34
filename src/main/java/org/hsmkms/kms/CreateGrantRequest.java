package org.hsmkms.kms;

import java.util.List;

/**
 * A CreateGrant request as the service reads it.
 *
 * @param keyId any key id form but an alias (key id or key ARN)
 * @param retiringPrincipal null for none
 * @param operations the grant operations, e.g. {@code Decrypt}
 * @param constraints null for none
 * @param name null for none; makes the request idempotent
 */
public record CreateGrantRequest(
    String keyId,
    String granteePrincipal,
    String retiringPrincipal,
    List<String> operations,
    GrantConstraints constraints,
    String name,
    boolean dryRun) {}
