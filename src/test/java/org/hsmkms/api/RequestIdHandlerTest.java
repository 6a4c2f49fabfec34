package org.hsmkms.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RequestIdTest {
  @Test
  void requestIds_areDistinctVersion4Uuids() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      String id = RequestIdHandler.newRequestId();
      UUID u = UUID.fromString(id);
      assertEquals(4, u.version());
      assertEquals(2, u.variant());
      assertEquals(id, u.toString());
      seen.add(id);
    }
    assertEquals(100_000, seen.size());
  }
}
