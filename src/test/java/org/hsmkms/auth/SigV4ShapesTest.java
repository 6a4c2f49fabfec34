package org.hsmkms.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The hand-written shape checks of SigV4 parsing accept exactly what their regular expressions do.
 */
class SigV4ShapesTest {
  private static final String ALPHABET = "az09AZT Z-_.!#$%&'*+^`|~/:;\u00e9\u0663";

  private static List<String> candidates(List<String> seeds) {
    List<String> out = new ArrayList<>(seeds);
    SplittableRandom random = new SplittableRandom(42);
    for (String seed : seeds) {
      for (int i = 0; i < 300; i++) {
        StringBuilder sb = new StringBuilder(seed);
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++) {
          int op = random.nextInt(3);
          int at = sb.length() == 0 ? 0 : random.nextInt(sb.length() + (op == 0 ? 1 : 0));
          char c = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
          if (op == 0) {
            sb.insert(Math.min(at, sb.length()), c);
          } else if (op == 1 && sb.length() > 0) {
            sb.deleteCharAt(Math.min(at, sb.length() - 1));
          } else if (sb.length() > 0) {
            sb.setCharAt(Math.min(at, sb.length() - 1), c);
          }
        }
        out.add(sb.toString());
      }
    }
    return out;
  }

  private static void same(String regex, Predicate<String> check, List<String> seeds) {
    Pattern p = Pattern.compile(regex);
    for (String s : candidates(seeds)) {
      assertEquals(p.matcher(s).matches(), check.test(s), () -> regex + " on '" + s + "'");
    }
  }

  @Test
  void amzDate() {
    same(
        "\\d{8}T\\d{6}Z",
        SigV4Shapes::isAmzDateShape,
        List.of("20261122T114822Z", "", "20261122T114822", "2026112T114822Z"));
  }

  @Test
  void signature() {
    same(
        "[0-9a-f]{64}",
        SigV4Shapes::isSignatureShape,
        List.of("0123456789abcdef".repeat(4), "", "0123456789ABCDEF".repeat(4)));
  }

  @Test
  void headerName() {
    same(
        "[a-z0-9!#$%&'*+.^_`|~-]+",
        SigV4Shapes::isHeaderName,
        List.of("host", "x-amz-date", "content-type", "", "a", "x_y.z~1"));
  }

  @Test
  void region() {
    same(
        "[a-z]{2}(-[a-z0-9]+)*-\\d{1,2}",
        SigV4Shapes::isRegion,
        List.of(
            "us-east-1",
            "eu-west-12",
            "us-gov-west-1",
            "cn-north-1",
            "ap-southeast-100",
            "us--1",
            "u-east-1",
            "us-1",
            "us-east-",
            "",
            "us-east-1-"));
  }
}
