package org.hsmkms.kms;

import java.util.ArrayList;
import java.util.List;
import org.hsmkms.store.KeyRecord;

/** One key of a ListKeys page, as AWS's {@code KeyListEntry}: its id and ARN. */
public record KeyListEntry(String keyId, String keyArn) {

  static List<KeyListEntry> of(RequestContext ctx, List<KeyRecord> rows) {
    List<KeyListEntry> out = new ArrayList<>(rows.size());
    for (KeyRecord k : rows) {
      out.add(new KeyListEntry(k.publicId(), k.arn()));
    }
    return out;
  }
}
