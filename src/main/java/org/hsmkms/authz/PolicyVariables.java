package org.hsmkms.authz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * IAM policy variables in a policy value: {@code ${aws:username}}, {@code ${aws:PrincipalTag/team,
 * 'none'}} (a default for when the key has no value), and the escapes {@code ${*}}, {@code ${?}},
 * {@code ${$}} for a literal {@code *}, {@code ?} or {@code $}. Only policies of Version {@code
 * 2012-10-17} have them; in others the text is literal.
 *
 * <p>IAM's rules ("IAM policy elements: Variables and tags"): a variable is replaced by the value
 * of the condition key it names (names compared case-insensitively, as condition keys are); a key
 * the request lacks, or one with several values, has no value, and then the default is used if the
 * variable has one; otherwise the value that holds the variable matches nothing, so that a positive
 * operator ({@code StringEquals}) does not match and a negated one ({@code StringNotEquals}) does.
 * Variables are replaced once (a default holding {@code ${...}} stays as written). A substituted
 * value and an escape are literal text: their {@code *} and {@code ?} are not wildcards.
 *
 * <p>Security: resolution reads only the request's condition keys; it allocates, so only values
 * that hold a variable are resolved per request.
 */
final class PolicyVariables {
  private PolicyVariables() {}

  /** A value with its variables replaced, and which of its characters are literal. */
  record Resolved(String text, boolean[] literal) {
    static Resolved plain(String text) {
      return new Resolved(text, null);
    }

    /** Whether character {@code i} is literal (from a variable or an escape), not a wildcard. */
    boolean isLiteral(int i) {
      return literal != null && literal[i];
    }
  }

  /**
   * One part of a value: policy text (its wildcards active), an escape (one literal character), or
   * a variable (its canonical key and its default, or null).
   */
  private record Part(String text, String key, String fallback, boolean escape) {}

  /** One policy value split into policy text, escapes and variables. */
  static final class Template {
    private final Part[] parts;
    private final boolean constant;

    private Template(List<Part> parts) {
      this.parts = parts.toArray(new Part[0]);
      this.constant = parts.stream().allMatch(p -> p.key() == null);
    }

    /** Whether the value holds escapes only, so that it resolves the same for every request. */
    boolean isConstant() {
      return constant;
    }

    /**
     * The value for this request, or null when a variable has neither a value nor a default (the
     * value then matches nothing). A constant template may be resolved with a null request.
     */
    Resolved resolve(AuthzRequest request) {
      StringBuilder text = new StringBuilder();
      boolean[] literal = new boolean[16];
      for (Part part : parts) {
        String piece;
        if (part.key() != null) {
          List<String> values = request == null ? null : request.values(part.key());
          if (values != null && values.size() == 1) {
            piece = values.get(0);
          } else if (part.fallback() != null) {
            piece = part.fallback();
          } else {
            return null;
          }
        } else {
          piece = part.text();
        }
        int start = text.length();
        text.append(piece);
        if (literal.length < text.length()) {
          literal = Arrays.copyOf(literal, Math.max(text.length(), 2 * literal.length));
        }
        Arrays.fill(literal, start, text.length(), part.key() != null || part.escape());
      }
      return new Resolved(text.toString(), Arrays.copyOf(literal, text.length()));
    }
  }

  /**
   * The template of a value, or null when it holds no {@code ${...}} (it is literal policy text).
   */
  static Template parse(String value) {
    return parse(value, 0);
  }

  /**
   * As {@link #parse(String)}, with variables recognised only from {@code from} on: IAM allows a
   * variable in a Resource ARN only "in the resource portion of the ARN", after the fifth colon.
   */
  static Template parse(String value, int from) {
    if (value.indexOf("${", from) < 0) {
      return null;
    }
    List<Part> parts = new ArrayList<>();
    StringBuilder text = new StringBuilder(value.substring(0, from));
    int i = from;
    while (i < value.length()) {
      int open = value.indexOf("${", i);
      int close = open < 0 ? -1 : closingBrace(value, open + 2);
      if (open < 0 || close < 0) {
        text.append(value, i, value.length()); // no (complete) variable: literal text
        break;
      }
      text.append(value, i, open);
      flush(text, parts);
      String inside = value.substring(open + 2, close);
      if (inside.equals("*") || inside.equals("?") || inside.equals("$")) {
        parts.add(new Part(inside, null, null, true));
      } else {
        parts.add(variable(inside));
      }
      i = close + 1;
    }
    flush(text, parts);
    return new Template(parts);
  }

  /** The index of the '}' that closes a variable opened before {@code from}, skipping quotes. */
  private static int closingBrace(String value, int from) {
    boolean quoted = false;
    for (int i = from; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\'') {
        quoted = !quoted; // '' inside a default is an escaped quote: two toggles, no change
      } else if (c == '}' && !quoted) {
        return i;
      }
    }
    return -1;
  }

  private static void flush(StringBuilder text, List<Part> parts) {
    if (text.length() > 0) {
      parts.add(new Part(text.toString(), null, null, false));
      text.setLength(0);
    }
  }

  // "${key}" or "${key, 'default'}"; whitespace around the key and the default is ignored, and ''
  // in a default is one quote. A malformed default, or an empty key, leaves a variable that never
  // has a value: the value holding it matches nothing.
  private static Part variable(String inside) {
    String key = inside;
    String fallback = null;
    int comma = inside.indexOf(',');
    boolean malformed = false;
    if (comma >= 0) {
      key = inside.substring(0, comma);
      String rest = inside.substring(comma + 1).trim();
      if (rest.length() >= 2 && rest.charAt(0) == '\'' && rest.charAt(rest.length() - 1) == '\'') {
        String body = rest.substring(1, rest.length() - 1);
        if (body.replace("''", "").indexOf('\'') >= 0) {
          malformed = true; // a lone quote inside the default
        } else {
          fallback = body.replace("''", "'");
        }
      } else {
        malformed = true;
      }
    }
    key = key.trim();
    if (key.isEmpty() || malformed) {
      // A key no request has (no condition key holds "${"): the value never resolves.
      return new Part(null, "${malformed}", null, false);
    }
    return new Part(null, ConditionKeys.canonical(key), fallback, false);
  }
}
