package org.hsmkms.api;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Names the operation {@code X-Amz-Target: TrentService.<Op>} asks for, and finds its handler. It
 * runs before the body is read, so that the audit record of any refused request names its
 * operation, and it refuses nothing: an unknown target is refused after authentication ({@link
 * ParseAndValidateHandler}), so that an unauthenticated caller learns nothing about it.
 */
final class TargetHandler implements Handler<RoutingContext> {
  static final String HEADER = "X-Amz-Target";
  private static final String PREFIX = "TrentService.";

  /** An operation of the model and its handler (null when not implemented). */
  private record Target(String operation, KmsApi.Operation handler) {}

  /** By the whole header value: one lookup per request. */
  private final Map<String, Target> targets = new HashMap<>();

  TargetHandler(Set<String> operationsOfTheModel, KmsApi api) {
    for (String operation : operationsOfTheModel) {
      targets.put(PREFIX + operation, new Target(operation, api.operation(operation)));
    }
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader(HEADER);
    Target target = header == null ? null : targets.get(header);
    if (target != null) {
      Exchange ex = Exchange.of(ctx);
      ex.operation = target.operation();
      ex.handler = target.handler();
    }
    ctx.next();
  }
}
