package org.hsmkms.kms;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link JsonSyntax}: exactly one JSON object (RFC 8259), as strict as the API's request parser.
 */
class JsonSyntaxTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{}",
        " \t\r\n{ } \n",
        "{\"a\":1}",
        "{\"a\":[1,-2.5,3e10,0.1E-3,-0,true,false,null,\"s\",{},[]]}",
        "{\"esc\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"}",
        "{\"a\":{\"a\":{\"a\":1}},\"b\":{\"a\":2}}",
        "{\"\u00e9\":\"\u00ff\"}"
      })
  void wellFormedObjects_areObjects(String text) {
    assertTrue(JsonSyntax.isObject(text), text);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "[]",
        "\"{}\"",
        "1",
        "null",
        "{",
        "}",
        "{} {}",
        "{}x",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\":1,}",
        "{,}",
        "{a:1}",
        "{'a':1}",
        "{\"a\":01}",
        "{\"a\":1.}",
        "{\"a\":.5}",
        "{\"a\":+1}",
        "{\"a\":1e}",
        "{\"a\":-}",
        "{\"a\":NaN}",
        "{\"a\":tru}",
        "{\"a\":True}",
        "{\"a\":[1,]}",
        "{\"a\":[1 2]}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\\u12\"}",
        "{\"a\":\"\\u12G4\"}",
        "{\"a\":\"unterminated}",
        "{\"a\":\"tab\there\"}",
        "{\"a\":1 /* comment */}",
        "{\"a\":1,\"a\":2}",
        "{\"x\":{\"a\":1,\"a\":1}}",
        "{\"\\u0061\":1,\"a\":2}"
      })
  void anythingElse_isNot(String text) {
    assertFalse(JsonSyntax.isObject(text), text);
  }

  @Test
  void nesting_isBoundedAsTheRequestParserBoundsIt() {
    assertTrue(JsonSyntax.isObject(nested(JsonSyntax.MAX_DEPTH)));
    assertFalse(JsonSyntax.isObject(nested(JsonSyntax.MAX_DEPTH + 1)));
    // Deep enough to overflow an unbounded recursive reader's stack.
    assertFalse(JsonSyntax.isObject("{\"a\":" + "[".repeat(100_000)));
  }

  /** An object {@code depth} containers deep: the object, then arrays. */
  private static String nested(int depth) {
    return "{\"a\":" + "[".repeat(depth - 1) + "]".repeat(depth - 1) + "}";
  }
}
