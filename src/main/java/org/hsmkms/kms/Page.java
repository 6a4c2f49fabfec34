package org.hsmkms.kms;

import java.util.List;

/** One page of a listing; {@code nextMarker} is null on the last page. */
public record Page<T>(List<T> items, String nextMarker) {
  public boolean truncated() {
    return nextMarker != null;
  }
}
