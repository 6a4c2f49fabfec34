package org.hsmkms.api;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.hsmkms.auth.AuthenticationException;
import org.hsmkms.auth.Authenticator;
import org.hsmkms.auth.Caller;
import org.hsmkms.auth.SignedRequest;
import org.hsmkms.kms.ErrorCode;
import org.hsmkms.kms.KmsException;
import org.hsmkms.kms.ProtocolErrors;
import org.hsmkms.kms.RequestContext;

/**
 * Establishes who sent the request (SigV4) before anything else is looked at: an unauthenticated
 * caller learns nothing about the request. The caller's account and region (from the access key and
 * the credential scope) become the {@link RequestContext} the operation acts in.
 */
final class AuthenticationHandler implements Handler<RoutingContext> {
  private final Authenticator authenticator;

  AuthenticationHandler(Authenticator authenticator) {
    this.authenticator = authenticator;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Exchange ex = Exchange.of(ctx);
    Caller caller;
    try {
      caller =
          authenticator.authenticate(
              signedRequest(ctx.request(), ex, ex.body(ctx)), ex.headerCheck);
    } catch (AuthenticationException e) {
      ctx.fail(error(e));
      return;
    }
    ex.caller = caller;
    ex.rc =
        new RequestContext(caller.account(), caller.region(), caller.principalArn(), ex.requestId);
    ctx.next();
  }

  /** The wire error of a refused authentication, with the authenticator's (AWS's) message. */
  static KmsException error(AuthenticationException e) {
    ErrorCode code =
        switch (e.kind()) {
          case MISSING_AUTHENTICATION_TOKEN -> ErrorCode.MISSING_AUTHENTICATION_TOKEN;
          case INCOMPLETE_SIGNATURE -> ErrorCode.INCOMPLETE_SIGNATURE;
          case UNRECOGNIZED_CLIENT -> ErrorCode.UNRECOGNIZED_CLIENT;
          case INVALID_SIGNATURE -> ErrorCode.INVALID_SIGNATURE;
        };
    return ProtocolErrors.authentication(code, e.getMessage());
  }

  /**
   * The request as the signature sees it; its headers are collected once per request and kept on
   * the exchange (the header check and the authentication both need them).
   */
  static SignedRequest signedRequest(HttpServerRequest request, Exchange ex, byte[] body) {
    if (ex.headers == null) {
      // One pass over the headers in arrival order (names() and getAll() would each search them).
      Map<String, List<String>> headers = new LinkedHashMap<>();
      for (Map.Entry<String, String> h : request.headers()) {
        headers
            .computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>(1))
            .add(h.getValue());
      }
      ex.headers = headers;
    }
    return new SignedRequest(
        request.method().name(), request.path(), request.query(), ex.headers, body);
  }
}
