package org.hsmkms.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * One request as the audit trail records it: who (principal, account, access key, source address),
 * what (operation, key ARNs, the keys of the encryption context), when, and how it ended.
 *
 * <p>Security: by construction it holds no plaintext, ciphertext, encryption context values, PINs
 * or secrets; only names and identifiers. See docs/audit.md for every field. Every string and list
 * is cut to the bounds of {@link AuditLimits}, so that a client cannot make its record large.
 *
 * @param authorization each authorization decision made for the request, in order: the action, the
 *     resource, and what allowed or denied it (a key policy or identity policy statement by Sid or
 *     index, a grant id, or an implicit deny); empty when the request ended before authorization
 * @param outcome {@link #SUCCESS} or {@link #FAILURE}
 * @param errorCode the AWS error type ({@code __type}), null on success
 * @param encryptionContextKeysOmitted how many context keys the record leaves out (beyond {@link
 *     AuditLimits#MAX_CONTEXT_KEYS})
 */
public record AuditRecord(
    Instant time,
    String requestId,
    String operation,
    String principal,
    String account,
    String accessKeyId,
    String region,
    String sourceAddress,
    List<String> keyArns,
    List<String> encryptionContextKeys,
    List<String> authorization,
    String outcome,
    String errorCode,
    int httpStatus,
    long latencyMs,
    int encryptionContextKeysOmitted) {
  public static final String SUCCESS = "success";
  public static final String FAILURE = "failure";

  /**
   * Version of the record layout; bumped when a field changes meaning or disappears. 2: strings and
   * lists are cut ({@link AuditLimits}); {@code encryptionContextKeysOmitted}, {@code seq} and
   * {@code mac} added; the trail also holds event records ({@link AuditEvent}).
   */
  public static final int VERSION = 2;

  public AuditRecord {
    requestId = AuditLimits.cut(requestId, AuditLimits.MAX_STRING_CHARS);
    operation = AuditLimits.cut(operation, AuditLimits.MAX_STRING_CHARS);
    principal = AuditLimits.cut(principal, AuditLimits.MAX_STRING_CHARS);
    account = AuditLimits.cut(account, AuditLimits.MAX_STRING_CHARS);
    accessKeyId = AuditLimits.cut(accessKeyId, AuditLimits.MAX_STRING_CHARS);
    region = AuditLimits.cut(region, AuditLimits.MAX_STRING_CHARS);
    sourceAddress = AuditLimits.cut(sourceAddress, AuditLimits.MAX_STRING_CHARS);
    outcome = AuditLimits.cut(outcome, AuditLimits.MAX_STRING_CHARS);
    errorCode = AuditLimits.cut(errorCode, AuditLimits.MAX_STRING_CHARS);
    keyArns = AuditLimits.cut(keyArns, AuditLimits.MAX_KEY_ARNS, AuditLimits.MAX_STRING_CHARS);
    if (encryptionContextKeys != null
        && encryptionContextKeys.size() > AuditLimits.MAX_CONTEXT_KEYS) {
      encryptionContextKeysOmitted += encryptionContextKeys.size() - AuditLimits.MAX_CONTEXT_KEYS;
    }
    encryptionContextKeys =
        AuditLimits.cut(
            encryptionContextKeys, AuditLimits.MAX_CONTEXT_KEYS, AuditLimits.MAX_CONTEXT_KEY_CHARS);
    authorization =
        AuditLimits.cut(
            authorization,
            AuditLimits.MAX_AUTHORIZATION_ENTRIES,
            AuditLimits.MAX_AUTHORIZATION_CHARS);
  }

  /** A record that leaves out no context key beyond those the bound cuts. */
  public AuditRecord(
      Instant time,
      String requestId,
      String operation,
      String principal,
      String account,
      String accessKeyId,
      String region,
      String sourceAddress,
      List<String> keyArns,
      List<String> encryptionContextKeys,
      List<String> authorization,
      String outcome,
      String errorCode,
      int httpStatus,
      long latencyMs) {
    this(
        time,
        requestId,
        operation,
        principal,
        account,
        accessKeyId,
        region,
        sourceAddress,
        keyArns,
        encryptionContextKeys,
        authorization,
        outcome,
        errorCode,
        httpStatus,
        latencyMs,
        0);
  }

  /**
   * The record as one line of JSON (no trailing newline), fields always present and in order; the
   * trail adds its sequence number and MAC ({@link AuditChain}).
   */
  public String toJson() {
    return json(new StringBuilder(448)).append('}').toString();
  }

  /** The record's JSON without its closing brace, as UTF-8: what the trail chains and appends. */
  byte[] jsonBody() {
    return json(new StringBuilder(448)).toString().getBytes(StandardCharsets.UTF_8);
  }

  private StringBuilder json(StringBuilder sb) {
    // Field names are constants: written with their punctuation as they are.
    sb.append("{\"version\":").append(VERSION);
    sb.append(",\"time\":");
    JsonText.string(sb, time == null ? null : isoInstant(time));
    sb.append(",\"requestId\":");
    JsonText.string(sb, requestId);
    sb.append(",\"operation\":");
    JsonText.string(sb, operation);
    sb.append(",\"principal\":");
    JsonText.string(sb, principal);
    sb.append(",\"account\":");
    JsonText.string(sb, account);
    sb.append(",\"accessKeyId\":");
    JsonText.string(sb, accessKeyId);
    sb.append(",\"region\":");
    JsonText.string(sb, region);
    sb.append(",\"sourceAddress\":");
    JsonText.string(sb, sourceAddress);
    sb.append(",\"keyArns\":");
    JsonText.strings(sb, keyArns);
    sb.append(",\"encryptionContextKeys\":");
    JsonText.strings(sb, encryptionContextKeys);
    sb.append(",\"authorization\":");
    JsonText.strings(sb, authorization);
    sb.append(",\"outcome\":");
    JsonText.string(sb, outcome);
    sb.append(",\"errorCode\":");
    JsonText.string(sb, errorCode);
    sb.append(",\"httpStatus\":").append(httpStatus);
    sb.append(",\"latencyMs\":").append(latencyMs);
    sb.append(",\"encryptionContextKeysOmitted\":").append(encryptionContextKeysOmitted);
    return sb;
  }

  /** The second last formatted and its text up to the seconds, shared by all threads. */
  private record SecondText(long epochSecond, String text) {}

  private static volatile SecondText lastSecond = new SecondText(Long.MIN_VALUE, "");

  /**
   * The instant as {@link DateTimeFormatter#ISO_INSTANT} writes it (fraction in groups of three
   * digits, none when zero), without formatting the date again within the same second.
   */
  static String isoInstant(Instant t) {
    SecondText s = lastSecond;
    if (s.epochSecond != t.getEpochSecond()) {
      String full = DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(t.getEpochSecond()));
      s = new SecondText(t.getEpochSecond(), full.substring(0, full.length() - 1));
      lastSecond = s;
    }
    int nanos = t.getNano();
    if (nanos == 0) {
      return s.text + 'Z';
    }
    StringBuilder sb = new StringBuilder(s.text.length() + 11).append(s.text).append('.');
    String digits = Integer.toString(1_000_000_000 + nanos).substring(1);
    int keep = nanos % 1_000_000 == 0 ? 3 : nanos % 1000 == 0 ? 6 : 9;
    return sb.append(digits, 0, keep).append('Z').toString();
  }
}
