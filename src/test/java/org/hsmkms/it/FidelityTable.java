package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.hsmkms.testing.TestServer;
import org.hsmkms.testing.TestServer.RawResponse;

/**
 * The rows of the AWS fidelity tables (issue 17, item 3) and how one row is checked against a real
 * server over raw, signed HTTP: status, {@code __type} and exact message of an error, or for a
 * success the response's field names, each of which must be a member of the operation's output
 * shape in AWS's own model (recursively, so {@code KeyMetadata}'s fields too).
 *
 * <p>A row names what AWS answers. Where our answer differs, the row also carries {@link Case#ours}
 * and the reason: the test asserts our current answer, and docs/aws-fidelity.md lists the
 * difference. Requests are written with single quotes for readability and with placeholders ({@code
 * $sym}, {@code $sym.arn}, {@code $new}, ...) that {@link FidelityFixture} resolves.
 */
final class FidelityTable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNode MODEL = loadModel();

  private FidelityTable() {}

  /**
   * One expected answer: HTTP status and, for an error, its {@code __type} and message (exact,
   * {@code ""} for a body without a message, or a pattern); for a success, fields that must be
   * present.
   */
  record Expect(int status, String type, String message, Pattern pattern, List<String> fields) {
    boolean success() {
      return type == null;
    }

    @Override
    public String toString() {
      return success()
          ? "200 " + fields
          : status + " " + type + (message != null ? " \"" + message + "\"" : " ~" + pattern);
    }
  }

  /** A success whose answer has at least these fields (and no field outside the model). */
  static Expect ok(String... fields) {
    return new Expect(200, null, null, null, List.of(fields));
  }

  /** An HTTP 400 error with this exact message ({@code $name.arn} placeholders allowed). */
  static Expect error(String type, String message) {
    return new Expect(400, type, message, null, List.of());
  }

  /** An HTTP 400 error whose message matches {@code regex} as a whole. */
  static Expect errorMatching(String type, String regex) {
    return new Expect(400, type, null, Pattern.compile(regex, Pattern.DOTALL), List.of());
  }

  /** ValidationException, "1 validation error detected: " followed by {@code detail}. */
  static Expect invalid(String detail) {
    return error("ValidationException", "1 validation error detected: " + detail);
  }

  /** The model's message for a missing required member. */
  static Expect missing(String member) {
    return invalid(
        "Value null at '" + member + "' failed to satisfy constraint: Member must not be null");
  }

  static Expect notFound(String name) {
    return error("NotFoundException", "Key '$" + name + ".arn' does not exist");
  }

  static Expect disabled(String name) {
    return error("DisabledException", "$" + name + ".arn is disabled.");
  }

  static Expect pendingDeletion(String name) {
    return error("KMSInvalidStateException", "$" + name + ".arn is pending deletion.");
  }

  static Expect pendingImport(String name) {
    return error("KMSInvalidStateException", "$" + name + ".arn is pending import.");
  }

  /**
   * AWS's answer to an operation a key's usage does not allow, as recorded from AWS ("... key usage
   * is SIGN_VERIFY which is not valid for Encrypt.").
   */
  static Expect wrongUsage(String name, String usage, String operation) {
    return error(
        "InvalidKeyUsageException",
        "$" + name + ".arn key usage is " + usage + " which is not valid for " + operation + ".");
  }

  /**
   * A row: operation, what the case is, the request (a template or a function of the fixture) and
   * AWS's answer; {@code ours} and {@code difference} are set only for a known difference.
   */
  record Case(
      String operation,
      String name,
      Function<FidelityFixture, String> request,
      Expect aws,
      Expect ours,
      String difference) {

    /** Our answer differs from AWS's for the reason given; the test pins ours. */
    Case differs(Expect current, String why) {
      return new Case(operation, name, request, aws, current, why);
    }

    /**
     * AWS's answer could not be determined from its documentation or from peers' recordings: the
     * row pins ours ({@code aws} is then our answer too) and the doc lists it as undetermined.
     */
    Case undetermined(String why) {
      return new Case(operation, name, request, aws, null, UNDETERMINED + why);
    }

    boolean isUndetermined() {
      return difference != null && difference.startsWith(UNDETERMINED);
    }

    Expect expected() {
      return ours != null ? ours : aws;
    }

    @Override
    public String toString() {
      String mark =
          ours != null ? " [known difference]" : isUndetermined() ? " [undetermined]" : "";
      return operation + ": " + name + mark;
    }
  }

  static final String UNDETERMINED = "undetermined: ";

  /** Our own answer where AWS's could not be determined (see {@link Case#undetermined}). */
  static Case ours(String operation, String name, String template, Expect ours, String why) {
    return row(operation, name, template, ours).undetermined(why);
  }

  static Case row(String operation, String name, String template, Expect aws) {
    return new Case(operation, name, x -> x.request(template), aws, null, null);
  }

  static Case row(
      String operation, String name, Function<FidelityFixture, String> request, Expect aws) {
    return new Case(operation, name, request, aws, null, null);
  }

  /** Sends the row's request and checks the answer against the row's expected one. */
  static RawResponse check(TestServer server, FidelityFixture x, Case c) {
    String body = c.request().apply(x);
    RawResponse r = server.post("TrentService." + c.operation(), body);
    Expect e = c.expected();
    JsonNode answer = parse(r.body(), c);
    String context = c + " answered " + r.status() + " " + r.body();
    assertEquals(e.status(), r.status(), context);
    if (e.success()) {
      for (String field : e.fields()) {
        // "KeyMetadata.Arn": a field of a field.
        JsonNode at = answer;
        for (String part : field.split("\\.")) {
          at = at.path(part);
        }
        assertTrue(!at.isMissingNode() && !at.isNull(), context + ": no " + field);
      }
      assertInModel(c.operation(), answer, context);
      return r;
    }
    assertEquals(e.type(), answer.path("__type").asText(null), context);
    String message = answer.path("message").asText("");
    if (e.message() != null) {
      assertEquals(x.resolve(e.message()), message, context);
    } else {
      assertTrue(e.pattern().matcher(message).matches(), context + " !~ " + e.pattern());
    }
    return r;
  }

  private static JsonNode parse(String body, Case c) {
    try {
      JsonNode node = JSON.readTree(body);
      assertNotNull(node, c + ": empty body");
      return node;
    } catch (IOException e) {
      return fail(c + ": not JSON: " + body);
    }
  }

  /** Every field of a success answer is a member of the operation's output shape, recursively. */
  static void assertInModel(String operation, JsonNode answer, String context) {
    JsonNode output = MODEL.path("operations").path(operation).path("output").path("shape");
    if (output.isMissingNode()) {
      assertEquals(0, answer.size(), context + ": the model has no output for " + operation);
      return;
    }
    List<String> stray = new ArrayList<>();
    walk(output.asText(), answer, operation, stray);
    assertTrue(stray.isEmpty(), context + ": fields outside AWS's model: " + stray);
  }

  private static void walk(String shapeName, JsonNode value, String path, List<String> stray) {
    JsonNode shape = MODEL.path("shapes").path(shapeName);
    switch (shape.path("type").asText()) {
      case "structure" -> {
        Iterator<String> names = value.fieldNames();
        while (names.hasNext()) {
          String name = names.next();
          JsonNode member = shape.path("members").path(name);
          if (member.isMissingNode()) {
            stray.add(path + "." + name);
          } else {
            walk(member.path("shape").asText(), value.get(name), path + "." + name, stray);
          }
        }
      }
      case "list" -> {
        for (JsonNode element : value) {
          walk(shape.path("member").path("shape").asText(), element, path + "[]", stray);
        }
      }
      default -> {}
    }
  }

  private static JsonNode loadModel() {
    try (InputStream in = FidelityTable.class.getResourceAsStream("/aws/kms-2014-11-01.json")) {
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The error types the model lists for {@code operation}. */
  static List<String> modelErrors(String operation) {
    List<String> errors = new ArrayList<>();
    MODEL
        .path("operations")
        .path(operation)
        .path("errors")
        .forEach(e -> errors.add(e.path("shape").asText()));
    return errors;
  }

  /** Whether the operation's input (in AWS's model) names a key or an alias's target key. */
  static boolean takesAKey(String operation) {
    String input = MODEL.path("operations").path(operation).path("input").path("shape").asText();
    JsonNode members = MODEL.path("shapes").path(input).path("members");
    return members.has("KeyId") || members.has("TargetKeyId") || members.has("DestinationKeyId");
  }
}
