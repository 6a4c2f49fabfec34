package org.hsmkms.audit;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks trail files against their MAC chain ({@link AuditChain}), in the order of their sequence
 * numbers whatever order they are given in, and names each break by its file and line: a line
 * edited (its MAC does not match), lines deleted (a gap in the sequence), lines reordered (a
 * sequence number out of order), a segment that ends without its closing record (the writer
 * crashed, or the end was cut). It also says where the history it was given begins, and whether
 * what came before was removed by retention as the trail recorded.
 *
 * <p>Security: the segment keys come from the HSM ({@link ChainKeys}); each is zeroed after use.
 */
public final class AuditVerifier {
  private static final int MAX_BREAKS_PRINTED = 50;

  private final ChainKeys keys;
  private final boolean openEnd;
  private final boolean uncleanStops;

  /**
   * @param openEnd true if the last file may still be written (a running server): its missing
   *     closing record is then a note, not a break
   */
  public AuditVerifier(ChainKeys keys, boolean openEnd) {
    this(keys, openEnd, false);
  }

  /**
   * @param openEnd as above
   * @param uncleanStops true to take a restart after a stop without a closing record (kill -9, a
   *     crash, a power cut) as a note, not a break. The chain cannot tell such a stop from records
   *     cut at the end of the segment while the server was stopped; an operator who knows of the
   *     stops (the service's own log says when it started) accepts them with this.
   */
  public AuditVerifier(ChainKeys keys, boolean openEnd, boolean uncleanStops) {
    this.keys = keys;
    this.openEnd = openEnd;
    this.uncleanStops = uncleanStops;
  }

  /** One file's result. */
  public static final class FileResult {
    final Path file;
    int records;
    long firstSeq = -1;
    long lastSeq = -1;
    final List<String> breaks = new ArrayList<>();
    final List<String> notes = new ArrayList<>();

    FileResult(Path file) {
      this.file = file;
    }

    public List<String> breaks() {
      return breaks;
    }

    public List<String> notes() {
      return notes;
    }
  }

  /** The results of every file, in sequence order. */
  public record Report(List<FileResult> files) {
    public boolean ok() {
      return files.stream().allMatch(f -> f.breaks.isEmpty());
    }

    /** All breaks, each prefixed with its file's name. */
    public List<String> breaks() {
      List<String> all = new ArrayList<>();
      files.forEach(f -> f.breaks.forEach(b -> all.add(f.file.getFileName() + ": " + b)));
      return all;
    }

    public void print(PrintStream out) {
      for (FileResult f : files) {
        out.printf(
            "%s: %d records, seq %s, %s%n",
            f.file,
            f.records,
            f.firstSeq < 0 ? "none" : f.firstSeq + ".." + f.lastSeq,
            f.breaks.isEmpty() ? "verified" : f.breaks.size() + " break(s)");
        f.notes.forEach(n -> out.println("  note: " + n));
        f.breaks.stream().limit(MAX_BREAKS_PRINTED).forEach(b -> out.println("  BREAK " + b));
        if (f.breaks.size() > MAX_BREAKS_PRINTED) {
          out.println("  ... and " + (f.breaks.size() - MAX_BREAKS_PRINTED) + " more breaks");
        }
      }
      out.println(ok() ? "all files verify" : "NOT VERIFIED");
    }
  }

  private record Removal(String file, long firstSeq, long lastSeq, String where) {}

  /** Reads and checks {@code files}. */
  public Report verify(List<Path> files) throws IOException {
    Map<Path, List<TrailLine>> lines = new HashMap<>();
    for (Path p : files) {
      List<String> text = Files.readAllLines(p, StandardCharsets.UTF_8);
      List<TrailLine> parsed = new ArrayList<>(text.size());
      for (int i = 0; i < text.size(); i++) {
        parsed.add(TrailLine.parse(i + 1, text.get(i)));
      }
      lines.put(p, parsed);
    }
    List<Path> ordered = new ArrayList<>(files);
    ordered.sort(Comparator.comparingLong(p -> firstSeq(lines.get(p))));
    List<Removal> removals = removals(lines);
    Map<Long, byte[]> macOfSeq = new HashMap<>();
    lines.values().forEach(ls -> ls.forEach(l -> macOfSeq.putIfAbsent(l.seq(), l.mac())));
    List<FileResult> results = new ArrayList<>();
    Walk walk = new Walk(removals, macOfSeq);
    for (Path p : ordered) {
      FileResult r = new FileResult(p);
      walk.file(r, lines.get(p));
      results.add(r);
    }
    walk.end(results.isEmpty() ? null : results.get(results.size() - 1));
    return new Report(results);
  }

  private static long firstSeq(List<TrailLine> lines) {
    return lines.stream()
        .mapToLong(TrailLine::seq)
        .filter(s -> s >= 0)
        .findFirst()
        .orElse(Long.MAX_VALUE);
  }

  private static List<Removal> removals(Map<Path, List<TrailLine>> lines) {
    List<Removal> out = new ArrayList<>();
    lines.forEach(
        (p, ls) -> {
          for (TrailLine l : ls) {
            if (l.is(AuditEvent.FILE_REMOVED)) {
              out.add(
                  new Removal(
                      l.string("file"),
                      l.number("firstSeq"),
                      l.number("lastSeq"),
                      p.getFileName() + " line " + l.number()));
            }
          }
        });
    return out;
  }

  /** The walk along the chain, across files. */
  private final class Walk {
    private final List<Removal> removals;

    /** The MAC written with each seq: a line is checked against its predecessor by seq. */
    private final Map<Long, byte[]> macOfSeq;

    private byte[] key;
    private byte[] previousMac;
    private long previousSeq = -1;
    private boolean closed = true;
    private boolean started;
    private TrailLine lastLine;
    private FileResult lastFile;

    Walk(List<Removal> removals, Map<Long, byte[]> macOfSeq) {
      this.removals = removals;
      this.macOfSeq = macOfSeq;
    }

    void file(FileResult r, List<TrailLine> lines) {
      Map<Long, Integer> lineOfSeq = new HashMap<>();
      lines.forEach(l -> lineOfSeq.putIfAbsent(l.seq(), l.number()));
      Set<Integer> explained = new HashSet<>();
      for (TrailLine l : lines) {
        if (l.seq() < 0 || l.mac() == null) {
          r.breaks.add("line " + l.number() + ": not a chained record (damaged, cut, or edited)");
          continue;
        }
        r.records++;
        r.firstSeq = r.firstSeq < 0 ? l.seq() : r.firstSeq;
        r.lastSeq = l.seq();
        if (l.is(AuditEvent.SEGMENT_START)) {
          segmentStart(r, l);
        } else {
          record(r, l, lineOfSeq, explained);
        }
        closed = l.is(AuditEvent.CLOSE);
        previousMac = l.mac();
        previousSeq = Math.max(previousSeq, l.seq());
        lastLine = l;
        lastFile = r;
      }
    }

    private void segmentStart(FileResult r, TrailLine l) {
      byte[] id = l.hex("segment");
      byte[] named = l.hex("previousMac");
      long namedSeq = l.number("previousSeq");
      if (key != null) {
        Arrays.fill(key, (byte) 0);
      }
      key = id == null ? null : keys.segmentKey(id);
      if (key == null || !AuditChain.verify(key, named, l.text())) {
        r.breaks.add(
            "line " + l.number() + ": edited (MAC mismatch) in a segment start, seq " + l.seq());
      }
      if (!started) {
        started = true;
        r.notes.add(historyBegins(l, namedSeq));
        return;
      }
      // A restart continues from the last line it found: only the closing record shows that no
      // line was cut before it. A rotation names the previous file's last line, which is checked.
      if (!closed && "start".equals(l.string("reason"))) {
        (uncleanStops ? r.notes : r.breaks)
            .add(
                "line "
                    + l.number()
                    + ": no closing record before this segment start (after seq "
                    + previousSeq
                    + "): the writer crashed, or the records at the end of its segment were cut");
      }
      if (namedSeq != previousSeq || named == null || !MessageDigest.isEqual(named, previousMac)) {
        r.breaks.add(
            "line "
                + l.number()
                + ": deleted: the segment start follows seq "
                + namedSeq
                + ", but the record before it is seq "
                + previousSeq
                + (namedSeq > previousSeq
                    ? " (seq " + (previousSeq + 1) + ".." + namedSeq + " missing)"
                    : ""));
      }
    }

    private String historyBegins(TrailLine l, long namedSeq) {
      if (namedSeq <= 0) {
        return "history begins at seq " + l.seq() + ": the first record of this trail";
      }
      for (Removal rm : removals) {
        if (rm.lastSeq() == namedSeq) {
          return "history begins at seq "
              + l.seq()
              + "; seq "
              + rm.firstSeq()
              + ".."
              + rm.lastSeq()
              + " was in "
              + rm.file()
              + ", removed by retention (recorded at "
              + rm.where()
              + ")";
        }
      }
      return "history begins at seq "
          + l.seq()
          + "; seq "
          + namedSeq
          + " and earlier are in files not given (no removal of them is recorded in these)";
    }

    private void record(
        FileResult r, TrailLine l, Map<Long, Integer> lineOfSeq, Set<Integer> explained) {
      if (explained.contains(l.number())) {
        return;
      }
      long expected = previousSeq + 1;
      byte[] before = macOfSeq.get(l.seq() - 1);
      boolean macOk =
          key != null && AuditChain.verify(key, before != null ? before : previousMac, l.text());
      if (key == null) {
        r.breaks.add("line " + l.number() + ": no segment start before it: cannot be checked");
      } else if (l.seq() == expected || !macOk && before != null) {
        if (!macOk) {
          r.breaks.add("line " + l.number() + ": edited (MAC mismatch), seq " + l.seq());
        }
      }
      if (key == null || l.seq() == expected) {
        return;
      } else if (l.seq() > expected && lineOfSeq.containsKey(expected)) {
        int later = lineOfSeq.get(expected);
        explained.add(later);
        r.breaks.add(
            "line "
                + l.number()
                + ": reordered: seq "
                + l.seq()
                + " comes before seq "
                + expected
                + " (line "
                + later
                + ")");
      } else if (l.seq() > expected) {
        r.breaks.add(
            "line "
                + l.number()
                + ": deleted: seq "
                + expected
                + (l.seq() - 1 > expected ? ".." + (l.seq() - 1) : "")
                + " missing before it (seq "
                + l.seq()
                + ")");
      } else {
        r.breaks.add(
            "line " + l.number() + ": reordered: seq " + l.seq() + " after seq " + previousSeq);
      }
    }

    void end(FileResult last) {
      if (key != null) {
        Arrays.fill(key, (byte) 0);
      }
      if (last == null || lastLine == null || closed) {
        return;
      }
      String text =
          "line "
              + lastLine.number()
              + ": no closing record after seq "
              + lastLine.seq()
              + ": the server is still writing, crashed, or the end was cut";
      if (openEnd) {
        lastFile.notes.add(text);
      } else {
        lastFile.breaks.add(text);
      }
    }
  }
}
