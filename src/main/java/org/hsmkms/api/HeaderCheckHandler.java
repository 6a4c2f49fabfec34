package org.hsmkms.api;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import org.hsmkms.auth.AuthenticationException;
import org.hsmkms.auth.Authenticator;
import org.hsmkms.kms.KmsException;
import org.hsmkms.kms.ProtocolErrors;

/**
 * Refuses, before its body is read, a request that its headers alone condemn: no or a malformed
 * Authorization header, an unknown access key, a date outside the skew window (the authenticator's
 * own {@link Authenticator#checkHeaders}, with the answers of the full check), or a content type
 * other than AWS JSON 1.1's.
 *
 * <p>Content type: the SDKs and the CLI send {@code application/x-amz-json-1.1}; parameters (e.g.
 * {@code ; charset=utf-8}) are allowed, and the media type is compared without regard to case. Any
 * other, or none, is UnknownOperationException (HTTP 400), as for a request that names no
 * operation: the JSON 1.1 protocol is not being spoken. It is checked after the authentication
 * headers, so that an unauthenticated caller learns nothing but that it is not authenticated.
 *
 * <p>Security: the refused request's body is never received: reading is paused, and the failure
 * handler answers and then closes the connection ({@link Exchange#refusedBeforeBody}), so that a
 * caller without a valid access key cannot make the service buffer megabytes. The refusal still
 * gets its audit record and request id.
 */
final class HeaderCheckHandler implements Handler<RoutingContext> {
  private static final byte[] NO_BODY = new byte[0];

  private final Authenticator authenticator;

  HeaderCheckHandler(Authenticator authenticator) {
    this.authenticator = authenticator;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Exchange ex = Exchange.of(ctx);
    try {
      ex.headerCheck =
          authenticator.checkHeaders(
              AuthenticationHandler.signedRequest(ctx.request(), ex, NO_BODY));
    } catch (AuthenticationException e) {
      refuse(ctx, ex, AuthenticationHandler.error(e));
      return;
    }
    if (!isAwsJson11(ctx.request().getHeader("Content-Type"))) {
      refuse(ctx, ex, ProtocolErrors.unknownOperation());
      return;
    }
    ctx.next();
  }

  /** True for {@code application/x-amz-json-1.1}, in any case, with or without parameters. */
  static boolean isAwsJson11(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String mediaType = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
    return mediaType.strip().toLowerCase(Locale.ROOT).equals(Json.CONTENT_TYPE);
  }

  private static void refuse(RoutingContext ctx, Exchange ex, KmsException error) {
    ex.refusedBeforeBody = true;
    ctx.request().pause();
    ctx.fail(error);
  }
}
