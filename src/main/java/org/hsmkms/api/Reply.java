package org.hsmkms.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.hsmkms.crypto.SecretBytes;

/**
 * An operation's JSON answer and the secrets it embeds. The server closes (zeroes) the secrets once
 * the answer has been serialized.
 */
final class Reply implements AutoCloseable {
  final ObjectNode body;
  private final List<SecretBytes> secrets = new ArrayList<>();

  Reply(ObjectNode body) {
    this.body = body;
  }

  static Reply empty() {
    return new Reply(Json.object());
  }

  /** Puts a secret into the answer as base64, without making a String of it. */
  Reply putSecret(String field, SecretBytes secret) {
    secrets.add(secret);
    body.put(field, secret.unsafeView());
    return this;
  }

  @Override
  public void close() {
    secrets.forEach(SecretBytes::close);
  }
}
