package org.hsmkms.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConditionKeyMapTest {
  @Test
  void of_storesCanonicalNames_keepingTheCaseOfAnEncryptionContextKey() {
    ConditionKeyMap m =
        ConditionKeyMap.of(
            Map.of(
                "aws:PrincipalArn", List.of("arn:aws:iam::111122223333:user/a"),
                "kms:EncryptionContext:Department", List.of("Finance")));

    assertEquals(List.of("arn:aws:iam::111122223333:user/a"), m.get("aws:principalarn"));
    assertEquals(List.of("Finance"), m.get("kms:encryptioncontext:Department"));
    assertNull(m.get("kms:encryptioncontext:department"));
    assertNull(m.get("aws:PrincipalArn"), "lookups are by canonical name");
  }

  @Test
  void of_copiesKeysAndValues_andAMapOfItsOwnKindIsKeptAsItIs() {
    Map<String, List<String>> source = new HashMap<>();
    List<String> values = new ArrayList<>(List.of("192.0.2.1"));
    source.put("aws:SourceIp", values);
    ConditionKeyMap m = ConditionKeyMap.of(source);

    source.put("aws:SourceIp", List.of("10.0.0.1"));
    values.add("10.0.0.2");

    assertEquals(List.of("192.0.2.1"), m.get("aws:sourceip"));
    assertSame(m, ConditionKeyMap.of(m));
    assertThrows(UnsupportedOperationException.class, () -> m.put("x", List.of()));
    assertThrows(UnsupportedOperationException.class, () -> m.get("aws:sourceip").add("y"));
  }

  @Test
  void with_layersKeysOverTheRequests_withoutChangingThem() {
    ConditionKeyMap request =
        ConditionKeyMap.of(
            Map.of("kms:KeySpec", List.of("RSA_2048"), "aws:SourceIp", List.of("192.0.2.1")));

    ConditionKeyMap withKey =
        request.with(
            Map.of("kms:KeySpec", List.of("SYMMETRIC_DEFAULT"), "kms:KeyUsage", List.of("E")));

    assertEquals(List.of("SYMMETRIC_DEFAULT"), withKey.get("kms:keyspec"));
    assertEquals(List.of("E"), withKey.get("kms:keyusage"));
    assertEquals(List.of("192.0.2.1"), withKey.get("aws:sourceip"));
    assertTrue(withKey.containsKey("aws:sourceip"));
    assertEquals(3, withKey.size());
    assertEquals(List.of("RSA_2048"), request.get("kms:keyspec"));
    assertFalse(request.containsKey("kms:keyusage"));
    assertSame(request, request.with(Map.of()));
  }

  @Test
  void anAuthzRequest_seesLayeredKeys_inItsConditions() {
    PolicyDocument policy =
        PolicyDocument.parse(
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Action\":\"kms:Encrypt\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":"
                + "{\"kms:KeySpec\":\"SYMMETRIC_DEFAULT\",\"aws:SourceIp\":\"192.0.2.1\"}}}]}",
            PolicyKind.IDENTITY_POLICY);
    ConditionKeyMap request = ConditionKeyMap.of(Map.of("aws:SourceIp", List.of("192.0.2.1")));
    String who = "arn:aws:iam::111122223333:user/a";

    AuthzRequest withKey =
        new AuthzRequest(
            who,
            "111122223333",
            "kms:Encrypt",
            "*",
            request.with(Map.of("kms:keyspec", List.of("SYMMETRIC_DEFAULT"))));
    AuthzRequest withoutKey = new AuthzRequest(who, "111122223333", "kms:Encrypt", "*", request);

    assertTrue(policy.evaluate(withKey).isAllow());
    assertFalse(policy.evaluate(withoutKey).isAllow());
  }

  @Test
  void toString_ofTheKeysAndOfARequest_namesTheKeys_butNoValue() {
    ConditionKeyMap m =
        ConditionKeyMap.of(Map.of("kms:EncryptionContext:Patient", List.of("secret-value-42")));
    AuthzRequest request =
        new AuthzRequest("arn:aws:iam::111122223333:user/a", "111122223333", "kms:Decrypt", "*", m);

    assertTrue(m.toString().contains("kms:encryptioncontext:Patient"), m.toString());
    assertFalse(m.toString().contains("secret-value-42"), m.toString());
    assertFalse(request.toString().contains("secret-value-42"), request.toString());
  }
}
