package org.hsmkms.kms;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.hsmkms.store.AliasRecord;
import org.hsmkms.store.KeyRecord;

/** One alias of a ListAliases page, as AWS's {@code AliasListEntry}. */
public record AliasListEntry(
    String aliasName,
    String aliasArn,
    String targetKeyId,
    Instant creationDate,
    Instant lastUpdatedDate) {

  static List<AliasListEntry> of(RequestContext ctx, List<AliasRecord> rows) {
    List<AliasListEntry> out = new ArrayList<>(rows.size());
    for (AliasRecord a : rows) {
      out.add(
          new AliasListEntry(
              a.aliasName(),
              ctx.aliasArn(a.aliasName()),
              KeyRecord.publicIdOf(a.targetKeyId()),
              a.creationDate(),
              a.lastUpdatedDate()));
    }
    return out;
  }
}
