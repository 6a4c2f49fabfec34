package org.hsmkms.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * The messages of AWS KMS's {@code AccessDeniedException}, in one place so that every test states
 * the same form, and assertions that a call was refused with one of them.
 *
 * <p>AWS's form: "User: PRINCIPAL is not authorized to perform: ACTION on resource: RESOURCE
 * because no resource-based policy allows the ACTION action" (an implicit deny on a key), "... with
 * an explicit deny in a resource-based policy" (a Deny of the key policy), "... with an explicit
 * deny in an identity-based policy" (a Deny of the caller's identity policy), and for actions on
 * {@code *} (account-level) "... because no identity-based policy allows the ACTION action".
 */
public final class AccessDenied {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AccessDenied() {}

  private static String head(String principal, String action, String resource) {
    return "User: "
        + principal
        + " is not authorized to perform: "
        + action
        + " on resource: "
        + resource;
  }

  /** Implicit deny on a key: nothing in the key policy (or a grant) allows the caller. */
  public static String noResourcePolicyAllows(String principal, String action, String keyArn) {
    return head(principal, action, keyArn)
        + " because no resource-based policy allows the "
        + action
        + " action";
  }

  /** Implicit deny on {@code *} or an alias: no identity policy allows the caller. */
  public static String noIdentityPolicyAllows(String principal, String action, String resource) {
    return head(principal, action, resource)
        + " because no identity-based policy allows the "
        + action
        + " action";
  }

  /** An account-level action (CreateKey, ListKeys, ...) the caller's identity policy lacks. */
  public static String accountLevel(String principal, String action) {
    return noIdentityPolicyAllows(principal, action, "*");
  }

  /**
   * The same refusal of a request that named no key, only a ciphertext (Decrypt without KeyId): AWS
   * then does not name the key but says "on the resource associated with this ciphertext".
   */
  public static String viaCiphertext(String message) {
    return message.replaceFirst(
        " on resource: arn:aws:kms:[^ ]+", " on the resource associated with this ciphertext");
  }

  /** A Deny statement of the key policy matched. */
  public static String explicitDenyInKeyPolicy(String principal, String action, String keyArn) {
    return head(principal, action, keyArn) + " with an explicit deny in a resource-based policy";
  }

  /** A Deny statement of the caller's identity policy matched. */
  public static String explicitDenyInIdentityPolicy(
      String principal, String action, String resource) {
    return head(principal, action, resource) + " with an explicit deny in an identity-based policy";
  }

  /**
   * Asserts that {@code call} is refused with AccessDeniedException (HTTP 400) and exactly this
   * message. The SDK's KMS model has no class of its own for this error: it is a {@link
   * KmsException} with the error code {@code AccessDeniedException}.
   */
  public static KmsException assertDenied(String message, Executable call) {
    KmsException e = assertThrows(KmsException.class, call);
    assertEquals(
        "AccessDeniedException",
        e.awsErrorDetails().errorCode(),
        () -> "error message: " + e.awsErrorDetails().errorMessage());
    assertEquals(400, e.statusCode());
    assertEquals(message, e.awsErrorDetails().errorMessage());
    return e;
  }

  /** Asserts that a raw answer is AccessDeniedException (HTTP 400) with exactly this message. */
  public static void assertDenied(String message, TestServer.RawResponse r) {
    assertEquals("AccessDeniedException", errorType(r), r.body());
    assertEquals(400, r.status(), r.body());
    assertEquals(message, errorMessage(r), r.body());
  }

  /**
   * Asserts that a raw answer is AccessDeniedException whose message starts with "User: PRINCIPAL
   * is not authorized to perform: ACTION on resource: " (for operations whose resource varies).
   */
  public static void assertDeniedAction(String principal, String action, TestServer.RawResponse r) {
    assertEquals("AccessDeniedException", errorType(r), r.body());
    assertEquals(400, r.status(), r.body());
    String message = errorMessage(r);
    String prefix =
        "User: " + principal + " is not authorized to perform: " + action + " on resource: ";
    assertTrue(message != null && message.startsWith(prefix), r.body());
  }

  /** The {@code __type} of an error answer, without a namespace prefix; null if none. */
  public static String errorType(TestServer.RawResponse r) {
    JsonNode body = parse(r.body());
    if (body == null || !body.hasNonNull("__type")) {
      return null;
    }
    String type = body.get("__type").asText();
    return type.substring(type.indexOf('#') + 1);
  }

  /** The message of an error answer ({@code message} or {@code Message}); null if none. */
  public static String errorMessage(TestServer.RawResponse r) {
    JsonNode body = parse(r.body());
    if (body == null) {
      return null;
    }
    JsonNode m = body.hasNonNull("message") ? body.get("message") : body.get("Message");
    return m == null ? null : m.asText();
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      return null;
    }
  }
}
