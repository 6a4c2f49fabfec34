package org.hsmkms.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.List;
import java.util.TreeSet;
import org.hsmkms.kms.KmsException;
import org.hsmkms.kms.NotSupportedErrors;
import org.hsmkms.kms.ProtocolErrors;

/**
 * Reads the request as the AWS model describes it: the target must name an operation of the model
 * (UnknownOperationException), the body must be a JSON object (SerializationException) that {@link
 * ModelValidator} accepts (SerializationException for JSON types, ValidationException in AWS's
 * wording for the rest), and the operation must be one this service implements
 * (UnsupportedOperationException). The body copy is zeroed here, whatever the outcome.
 */
final class ParseAndValidateHandler implements Handler<RoutingContext> {
  private static final List<String> CONTEXT_FIELDS =
      List.of("EncryptionContext", "SourceEncryptionContext", "DestinationEncryptionContext");

  private final ModelValidator validator;

  ParseAndValidateHandler(ModelValidator validator) {
    this.validator = validator;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Exchange ex = Exchange.of(ctx);
    try {
      if (ex.operation == null) {
        throw ProtocolErrors.unknownOperation();
      }
      JsonNode request = parse(ex.body(ctx));
      // Before validation, so that the record of an invalid request names them too.
      ex.contextKeys = contextKeys(request);
      validator.validate(ex.operation, request);
      if (ex.handler == null) {
        throw NotSupportedErrors.operation(ex.operation);
      }
      ex.request = request;
    } catch (KmsException e) {
      ctx.fail(e);
      return;
    } finally {
      ex.zeroBody();
    }
    ctx.next();
  }

  private static JsonNode parse(byte[] body) {
    if (body.length == 0) {
      return Json.object();
    }
    try {
      JsonNode node = Json.MAPPER.readTree(body);
      if (node == null || !node.isObject()) {
        throw ProtocolErrors.notAnObject();
      }
      return node;
    } catch (JsonProcessingException e) {
      throw ProtocolErrors.bodyNotJson();
    } catch (IOException e) {
      throw ProtocolErrors.bodyUnreadable();
    }
  }

  /** The keys (never the values) of the request's encryption contexts, sorted, for the audit. */
  private static List<String> contextKeys(JsonNode request) {
    TreeSet<String> keys = new TreeSet<>();
    for (String field : CONTEXT_FIELDS) {
      JsonNode n = request.get(field);
      if (n != null && n.isObject()) {
        n.fieldNames().forEachRemaining(keys::add);
      }
    }
    return List.copyOf(keys);
  }
}
