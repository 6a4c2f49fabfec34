package org.hsmkms.kms;

import java.util.HashSet;
import java.util.Set;

/**
 * Recognises the text of one JSON value (RFC 8259) without building it, as strictly as the API's
 * own request parser: no trailing content, no duplicate member names, no comments or other
 * extensions, at most {@value #MAX_DEPTH} nested containers. The service's JSON library belongs to
 * the api layer; a key policy is a string member of a request and is only checked here.
 */
final class JsonSyntax {
  /** As deep as the request parser lets a request body nest. */
  static final int MAX_DEPTH = 32;

  private final String s;
  private int pos;

  private JsonSyntax(String s) {
    this.s = s;
  }

  /** True if {@code text} is exactly one well-formed JSON object (blanks around it allowed). */
  static boolean isObject(String text) {
    JsonSyntax p = new JsonSyntax(text);
    try {
      p.blanks();
      if (!p.at('{')) {
        return false;
      }
      p.value(0);
      p.blanks();
      return p.pos == text.length();
    } catch (Malformed e) {
      return false;
    }
  }

  /** Thrown inside the recogniser only; carries no text. */
  private static final class Malformed extends Exception {
    Malformed() {
      super(null, null, false, false);
    }
  }

  private void value(int depth) throws Malformed {
    if (pos >= s.length()) {
      throw new Malformed();
    }
    char c = s.charAt(pos);
    switch (c) {
      case '{' -> object(depth + 1);
      case '[' -> array(depth + 1);
      case '"' -> string();
      case 't' -> literal("true");
      case 'f' -> literal("false");
      case 'n' -> literal("null");
      default -> number();
    }
  }

  private void object(int depth) throws Malformed {
    if (depth > MAX_DEPTH) {
      throw new Malformed();
    }
    pos++;
    blanks();
    if (at('}')) {
      pos++;
      return;
    }
    Set<String> names = new HashSet<>();
    while (true) {
      blanks();
      if (!at('"') || !names.add(string())) {
        throw new Malformed();
      }
      blanks();
      expect(':');
      blanks();
      value(depth);
      blanks();
      if (at(',')) {
        pos++;
      } else {
        expect('}');
        return;
      }
    }
  }

  private void array(int depth) throws Malformed {
    if (depth > MAX_DEPTH) {
      throw new Malformed();
    }
    pos++;
    blanks();
    if (at(']')) {
      pos++;
      return;
    }
    while (true) {
      blanks();
      value(depth);
      blanks();
      if (at(',')) {
        pos++;
      } else {
        expect(']');
        return;
      }
    }
  }

  /** Reads a string and answers its decoded value (member names must be unique). */
  private String string() throws Malformed {
    pos++;
    StringBuilder out = new StringBuilder();
    while (pos < s.length()) {
      char c = s.charAt(pos++);
      if (c == '"') {
        return out.toString();
      }
      if (c < 0x20) {
        throw new Malformed();
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (pos >= s.length()) {
        throw new Malformed();
      }
      char e = s.charAt(pos++);
      switch (e) {
        case '"', '\\', '/' -> out.append(e);
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> out.append(hex4());
        default -> throw new Malformed();
      }
    }
    throw new Malformed();
  }

  private char hex4() throws Malformed {
    if (pos + 4 > s.length()) {
      throw new Malformed();
    }
    int v = 0;
    for (int i = 0; i < 4; i++) {
      int d = Character.digit(s.charAt(pos++), 16);
      if (d < 0) {
        throw new Malformed();
      }
      v = v * 16 + d;
    }
    return (char) v;
  }

  private void number() throws Malformed {
    if (at('-')) {
      pos++;
    }
    if (at('0')) {
      pos++;
    } else if (digits() == 0) {
      throw new Malformed();
    }
    if (at('.')) {
      pos++;
      if (digits() == 0) {
        throw new Malformed();
      }
    }
    if (at('e') || at('E')) {
      pos++;
      if (at('+') || at('-')) {
        pos++;
      }
      if (digits() == 0) {
        throw new Malformed();
      }
    }
  }

  private int digits() {
    int start = pos;
    while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
      pos++;
    }
    return pos - start;
  }

  private void literal(String word) throws Malformed {
    if (!s.startsWith(word, pos)) {
      throw new Malformed();
    }
    pos += word.length();
  }

  private void expect(char c) throws Malformed {
    if (!at(c)) {
      throw new Malformed();
    }
    pos++;
  }

  private boolean at(char c) {
    return pos < s.length() && s.charAt(pos) == c;
  }

  private void blanks() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }
}
