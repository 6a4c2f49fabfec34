package org.hsmkms.audit;

import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the verifier reads of one line of the trail, without a JSON parser: its sequence number and
 * MAC (the last fields), whether it is an event and which, and the fields of a segment start or a
 * removal. The patterns cannot match inside a string value: a quote there is escaped, so {@code
 * ,"name":} never appears in one. What a line claims counts only once its MAC checks.
 *
 * @param number the line's number in its file, from 1
 * @param seq -1 if the line has none (not a line of the chained trail, or damaged)
 * @param event null for a request record
 */
record TrailLine(int number, String text, long seq, byte[] mac, String event) {
  private static final Pattern EVENT =
      Pattern.compile("^\\{\"version\":\\d+,\"time\":(?:\"[^\"\\\\]*\"|null),\"event\":\"(\\w+)\"");
  private static final HexFormat HEX = HexFormat.of();

  static TrailLine parse(int number, String text) {
    TrailTail.Link link = TrailTail.link(text);
    Matcher m = EVENT.matcher(text);
    return new TrailLine(
        number,
        text,
        link == null ? -1 : link.seq(),
        link == null ? null : link.mac(),
        m.find() ? m.group(1) : null);
  }

  boolean is(String eventName) {
    return eventName.equals(event);
  }

  /** A number field of an event ({@code ,"name":123}); -1 if absent or null. */
  long number(String name) {
    Matcher m = Pattern.compile(",\"" + name + "\":(\\d{1,18})[,}]").matcher(text);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  /** A hex field of an event ({@code ,"name":"0a1b"}); null if absent or null. */
  byte[] hex(String name) {
    Matcher m = Pattern.compile(",\"" + name + "\":\"([0-9a-f]{2,128})\"").matcher(text);
    return m.find() ? HEX.parseHex(m.group(1)) : null;
  }

  /** A plain string field of an event; null if absent. */
  String string(String name) {
    Matcher m = Pattern.compile(",\"" + name + "\":\"([^\"\\\\]*)\"").matcher(text);
    return m.find() ? m.group(1) : null;
  }
}
