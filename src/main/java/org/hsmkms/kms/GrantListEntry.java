package org.hsmkms.kms;

import java.time.Instant;
import java.util.List;
import org.hsmkms.store.GrantRecord;
import org.hsmkms.store.KeyRecord;

/**
 * One grant of a ListGrants or ListRetirableGrants page, as AWS's {@code GrantListEntry}.
 *
 * @param keyArn the ARN of the grant's key
 * @param name the grant's Name, or null
 * @param retiringPrincipal null when the grant has none
 * @param issuingAccount the issuing account's root ARN, {@code arn:aws:iam::ACCOUNT:root}
 * @param constraints null when the grant has none
 */
public record GrantListEntry(
    String keyArn,
    String grantId,
    String name,
    Instant creationDate,
    String granteePrincipal,
    String retiringPrincipal,
    String issuingAccount,
    List<String> operations,
    GrantConstraints constraints) {

  static GrantListEntry of(GrantRecord g) {
    return new GrantListEntry(
        "arn:aws:kms:" + g.region() + ":" + g.account() + ":key/" + KeyRecord.publicIdOf(g.keyId()),
        g.grantId(),
        g.name(),
        g.creationDate(),
        g.granteePrincipal(),
        g.retiringPrincipal(),
        "arn:aws:iam::" + g.issuingAccount() + ":root",
        g.operations(),
        GrantConstraints.of(g));
  }
}
