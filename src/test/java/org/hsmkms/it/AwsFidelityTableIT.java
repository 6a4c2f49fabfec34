package org.hsmkms.it;

import static org.hsmkms.it.FidelityTable.error;
import static org.hsmkms.it.FidelityTable.errorMatching;
import static org.hsmkms.it.FidelityTable.invalid;
import static org.hsmkms.it.FidelityTable.missing;
import static org.hsmkms.it.FidelityTable.notFound;
import static org.hsmkms.it.FidelityTable.ok;
import static org.hsmkms.it.FidelityTable.ours;
import static org.hsmkms.it.FidelityTable.pendingDeletion;
import static org.hsmkms.it.FidelityTable.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.hsmkms.it.FidelityTable.Case;
import org.hsmkms.testing.TestServer;
import org.hsmkms.testing.TestServer.RawResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.model.AlreadyExistsException;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.DryRunOperationException;
import software.amazon.awssdk.services.kms.model.IncorrectKeyException;
import software.amazon.awssdk.services.kms.model.InvalidKeyUsageException;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.KmsInvalidStateException;
import software.amazon.awssdk.services.kms.model.NotFoundException;
import software.amazon.awssdk.services.kms.model.OriginType;
import software.amazon.awssdk.services.kms.model.TagException;
import software.amazon.awssdk.services.kms.model.UnsupportedOperationException;

/**
 * The AWS fidelity table (issue 17, item 3) of key management, policies, tags and aliases, and the
 * check that the three tables together cover every operation docs/api-compatibility.md lists as
 * done: each with a success, a validation error and, where it takes a key, an unknown key. The
 * other tables: {@link AwsFidelityTableCryptoIT}, {@link AwsFidelityTableLifecycleIT}.
 */
class AwsFidelityTableIT {
  private static final String ALIAS_PREFIX =
      "Alias must start with the prefix \"alias/\". Please see"
          + " https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String POLICY =
      "{'Version':'2012-10-17','Statement':[{'Effect':'Allow','Principal':{'AWS':"
          + "'arn:aws:iam::$account:root'},'Action':'kms:*','Resource':'*'}]}";

  /** A PutKeyPolicy request: the policy document is a JSON string inside the JSON request. */
  private static String putPolicy(FidelityFixture x, String key) {
    ObjectNode body = JSON.createObjectNode();
    body.put("KeyId", x.resolve(key));
    body.put("Policy", x.request(POLICY));
    return body.toString();
  }

  static List<Case> cases() {
    return List.of(
        // --- CreateKey -------------------------------------------------------------------------
        row(
            "CreateKey",
            "symmetric default",
            "{}",
            ok(
                "KeyMetadata.KeyId",
                "KeyMetadata.Arn",
                "KeyMetadata.KeyState",
                "KeyMetadata.KeySpec",
                "KeyMetadata.EncryptionAlgorithms",
                "KeyMetadata.CurrentKeyMaterialId")),
        row(
            "CreateKey",
            "HMAC_256",
            "{'KeySpec':'HMAC_256','KeyUsage':'GENERATE_VERIFY_MAC'}",
            ok("KeyMetadata.MacAlgorithms")),
        row(
            "CreateKey",
            "unknown KeySpec",
            "{'KeySpec':'AES_512'}",
            errorMatching(
                "ValidationException",
                "1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy"
                    + " constraint: Member must satisfy enum value set: \\[.*SYMMETRIC_DEFAULT.*\\]")),
        row(
            "CreateKey",
            "KEY_AGREEMENT with RSA_2048",
            "{'KeySpec':'RSA_2048','KeyUsage':'KEY_AGREEMENT'}",
            error(
                "ValidationException",
                "KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048")),
        row(
            "CreateKey",
            "HMAC without KeyUsage",
            "{'KeySpec':'HMAC_256'}",
            error(
                "ValidationException",
                "You must specify a KeyUsage value for all KMS keys except for symmetric encryption"
                    + " keys.")),
        row(
            "CreateKey",
            "a tag key AWS:x",
            "{'Tags':[{'TagKey':'AWS:x','TagValue':'v'}]}",
            error("TagException", "Tags beginning with aws: are reserved")),
        row(
            "CreateKey",
            "51 tags",
            x ->
                "{\"Tags\":["
                    + IntStream.range(0, 51)
                        .mapToObj(i -> "{\"TagKey\":\"k" + i + "\",\"TagValue\":\"v\"}")
                        .collect(Collectors.joining(","))
                    + "]}",
            error("TagException", "Too many tags")),
        // --- DescribeKey / ListKeys ------------------------------------------------------------
        row(
            "DescribeKey",
            "symmetric key",
            "{'KeyId':'$sym'}",
            ok("KeyMetadata.Arn", "KeyMetadata.CreationDate", "KeyMetadata.CurrentKeyMaterialId")),
        row(
            "DescribeKey",
            "key pending deletion",
            "{'KeyId':'$pending'}",
            ok("KeyMetadata.DeletionDate")),
        row("DescribeKey", "without KeyId", "{}", missing("keyId")),
        row("DescribeKey", "unknown key", "{'KeyId':'$unknown'}", notFound("unknown")),
        row("DescribeKey", "unknown mrk- key", "{'KeyId':'$unknownMrk'}", notFound("unknownMrk")),
        row(
            "DescribeKey",
            "key ARN of another region",
            "{'KeyId':'arn:aws:kms:eu-west-1:$account:key/$sym'}",
            error("NotFoundException", "Invalid arn eu-west-1")),
        row(
            "DescribeKey",
            "unknown alias",
            "{'KeyId':'alias/fidelity-none'}",
            error(
                "NotFoundException",
                "Alias arn:aws:kms:us-east-1:$account:alias/fidelity-none is not found.")),
        ours(
            "DescribeKey",
            "not a key id",
            "{'KeyId':'not-a-key'}",
            error("NotFoundException", "Invalid keyId 'not-a-key'"),
            "AWS's message for a KeyId of no known form is not documented"),
        row("ListKeys", "first page", "{'Limit':5}", ok("Keys", "Truncated")),
        row(
            "ListKeys",
            "Limit 0",
            "{'Limit':0}",
            invalid(
                "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater"
                    + " than or equal to 1")),
        // --- EnableKey / DisableKey / ScheduleKeyDeletion / CancelKeyDeletion -------------------
        row("EnableKey", "enabled key", "{'KeyId':'$new'}", ok()),
        row("EnableKey", "without KeyId", "{}", missing("keyId")),
        row("EnableKey", "unknown key", "{'KeyId':'$unknown'}", notFound("unknown")),
        row(
            "EnableKey",
            "key pending deletion",
            "{'KeyId':'$pending'}",
            pendingDeletion("pending")),
        row("DisableKey", "enabled key", "{'KeyId':'$new'}", ok()),
        row("DisableKey", "without KeyId", "{}", missing("keyId")),
        row("DisableKey", "unknown key", "{'KeyId':'$unknown'}", notFound("unknown")),
        row(
            "DisableKey",
            "key pending deletion",
            "{'KeyId':'$pending'}",
            pendingDeletion("pending")),
        row(
            "ScheduleKeyDeletion",
            "7 days",
            "{'KeyId':'$new','PendingWindowInDays':7}",
            ok("KeyId", "DeletionDate", "KeyState", "PendingWindowInDays")),
        row(
            "ScheduleKeyDeletion",
            "6 days",
            "{'KeyId':'$new','PendingWindowInDays':6}",
            invalid(
                "Value '6' at 'pendingWindowInDays' failed to satisfy constraint: Member must have"
                    + " value greater than or equal to 7")),
        row("ScheduleKeyDeletion", "unknown key", "{'KeyId':'$unknown'}", notFound("unknown")),
        row(
            "ScheduleKeyDeletion",
            "key pending deletion",
            "{'KeyId':'$pending'}",
            pendingDeletion("pending")),
        row(
            "ScheduleKeyDeletion",
            "ORDER: 31 days and an unknown key: validation first",
            "{'KeyId':'$unknown','PendingWindowInDays':31}",
            invalid(
                "Value '31' at 'pendingWindowInDays' failed to satisfy constraint: Member must have"
                    + " value less than or equal to 30")),
        row("CancelKeyDeletion", "key pending deletion", "{'KeyId':'$newPending'}", ok("KeyId")),
        row("CancelKeyDeletion", "without KeyId", "{}", missing("keyId")),
        row("CancelKeyDeletion", "unknown key", "{'KeyId':'$unknown'}", notFound("unknown")),
        row(
            "CancelKeyDeletion",
            "enabled key",
            "{'KeyId':'$sym'}",
            error("KMSInvalidStateException", "$sym.arn is not pending deletion.")),
        // --- UpdateKeyDescription / key policies -----------------------------------------------
        row("UpdateKeyDescription", "new text", "{'KeyId':'$new','Description':'d'}", ok()),
        row(
            "UpdateKeyDescription",
            "without Description",
            "{'KeyId':'$sym'}",
            missing("description")),
        row(
            "UpdateKeyDescription",
            "unknown key",
            "{'KeyId':'$unknown','Description':'d'}",
            notFound("unknown")),
        row(
            "UpdateKeyDescription",
            "key pending deletion",
            "{'KeyId':'$pending','Description':'d'}",
            pendingDeletion("pending")),
        row("GetKeyPolicy", "default", "{'KeyId':'$sym'}", ok("Policy", "PolicyName")),
        row("GetKeyPolicy", "key pending deletion", "{'KeyId':'$pending'}", ok("Policy")),
        row("GetKeyPolicy", "without KeyId", "{'PolicyName':'default'}", missing("keyId")),
        row("GetKeyPolicy", "unknown key", "{'KeyId':'$unknown'}", notFound("unknown")),
        ours(
            "GetKeyPolicy",
            "another policy name",
            "{'KeyId':'$sym','PolicyName':'other'}",
            error("NotFoundException", "Policy 'other' does not exist on key '$sym.arn'"),
            "AWS's message for a policy name other than default is not documented"),
        row("PutKeyPolicy", "a valid policy", x -> putPolicy(x, "$new"), ok()),
        row("PutKeyPolicy", "without Policy", "{'KeyId':'$sym'}", missing("policy")),
        row("PutKeyPolicy", "unknown key", x -> putPolicy(x, "$unknown"), notFound("unknown")),
        ours(
            "PutKeyPolicy",
            "not a policy",
            "{'KeyId':'$sym','Policy':'not json'}",
            error(
                "MalformedPolicyDocumentException",
                "The policy document is not valid JSON (line 1, column 1)"),
            "AWS's message for a document that is not JSON is not documented"),
        row("ListKeyPolicies", "default", "{'KeyId':'$sym'}", ok("PolicyNames", "Truncated")),
        row("ListKeyPolicies", "without KeyId", "{}", missing("keyId")),
        row("ListKeyPolicies", "unknown key", "{'KeyId':'$unknown'}", notFound("unknown")),
        // --- Tags ------------------------------------------------------------------------------
        row(
            "TagResource",
            "one tag",
            "{'KeyId':'$new','Tags':[{'TagKey':'k','TagValue':'v'}]}",
            ok()),
        row("TagResource", "without Tags", "{'KeyId':'$sym'}", missing("tags")),
        row(
            "TagResource",
            "unknown key",
            "{'KeyId':'$unknown','Tags':[{'TagKey':'k','TagValue':'v'}]}",
            notFound("unknown")),
        row(
            "TagResource",
            "key pending deletion",
            "{'KeyId':'$pending','Tags':[{'TagKey':'k','TagValue':'v'}]}",
            pendingDeletion("pending")),
        row(
            "TagResource",
            "a tag key aws:x",
            "{'KeyId':'$sym','Tags':[{'TagKey':'aws:x','TagValue':'v'}]}",
            error("TagException", "Tags beginning with aws: are reserved")),
        ours(
            "TagResource",
            "the same tag key twice",
            "{'KeyId':'$new','Tags':[{'TagKey':'k','TagValue':'a'},{'TagKey':'k','TagValue':'b'}]}",
            error("TagException", "Duplicate tag keys"),
            "AWS refuses it (issue 17); its message is not recorded"),
        row("UntagResource", "one tag key", "{'KeyId':'$new','TagKeys':['k']}", ok()),
        row("UntagResource", "without TagKeys", "{'KeyId':'$sym'}", missing("tagKeys")),
        row(
            "UntagResource",
            "unknown key",
            "{'KeyId':'$unknown','TagKeys':['k']}",
            notFound("unknown")),
        row(
            "UntagResource",
            "key pending deletion",
            "{'KeyId':'$pending','TagKeys':['k']}",
            pendingDeletion("pending")),
        row("ListResourceTags", "no tags", "{'KeyId':'$sym'}", ok("Tags", "Truncated")),
        row("ListResourceTags", "without KeyId", "{}", missing("keyId")),
        row("ListResourceTags", "unknown key", "{'KeyId':'$unknown'}", notFound("unknown")),
        row("ListResourceTags", "key pending deletion", "{'KeyId':'$pending'}", ok("Tags")),
        // --- Aliases ---------------------------------------------------------------------------
        row("CreateAlias", "new alias", "{'AliasName':'$newAlias','TargetKeyId':'$sym'}", ok()),
        row(
            "CreateAlias",
            "name without alias/",
            "{'AliasName':'fidelity','TargetKeyId':'$sym'}",
            error("ValidationException", ALIAS_PREFIX)),
        row(
            "CreateAlias",
            "name under alias/aws/",
            "{'AliasName':'alias/aws/fidelity','TargetKeyId':'$sym'}",
            error("NotAuthorizedException", "")),
        row(
            "CreateAlias",
            "existing name",
            "{'AliasName':'$alias','TargetKeyId':'$sym'}",
            error(
                "AlreadyExistsException",
                "An alias with the name arn:aws:kms:us-east-1:$account:$alias already exists")),
        row(
            "CreateAlias",
            "unknown target",
            "{'AliasName':'$newAlias','TargetKeyId':'$unknown'}",
            notFound("unknown")),
        row(
            "CreateAlias",
            "target pending deletion",
            "{'AliasName':'$newAlias','TargetKeyId':'$pending'}",
            pendingDeletion("pending")),
        row(
            "CreateAlias",
            "ORDER: name without alias/ and an unknown target: validation first",
            "{'AliasName':'fidelity','TargetKeyId':'$unknown'}",
            error("ValidationException", ALIAS_PREFIX)),
        row("DeleteAlias", "existing alias", "{'AliasName':'$newAliasOnSym'}", ok()),
        row("DeleteAlias", "without AliasName", "{}", missing("aliasName")),
        row(
            "DeleteAlias",
            "unknown alias",
            "{'AliasName':'alias/fidelity-none'}",
            error(
                "NotFoundException",
                "Alias arn:aws:kms:us-east-1:$account:alias/fidelity-none is not found.")),
        row(
            "UpdateAlias",
            "to the same key",
            "{'AliasName':'$newAliasOnSym','TargetKeyId':'$sym'}",
            ok()),
        row("UpdateAlias", "without TargetKeyId", "{'AliasName':'$alias'}", missing("targetKeyId")),
        row(
            "UpdateAlias",
            "unknown target",
            "{'AliasName':'$alias','TargetKeyId':'$unknown'}",
            notFound("unknown")),
        row(
            "UpdateAlias",
            "target pending deletion",
            "{'AliasName':'$alias','TargetKeyId':'$pending'}",
            pendingDeletion("pending")),
        row("ListAliases", "first page", "{'Limit':5}", ok("Aliases", "Truncated")),
        row(
            "ListAliases",
            "Limit 0",
            "{'Limit':0}",
            invalid(
                "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater"
                    + " than or equal to 1")),
        row("ListAliases", "Limit 101", "{'Limit':101}", errorMatching("ValidationException", ".*"))
            .differs(
                ok("Aliases"),
                "AWS documents Limit 1..100 for ListAliases (the model says 1..1000, which we"
                    + " check); AWS's message is not recorded"),
        row("ListAliases", "unknown key", "{'KeyId':'$unknown'}", notFound("unknown")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void answersAsAws(Case c) {
    FidelityTable.check(FidelityFixture.shared().server(), FidelityFixture.shared(), c);
  }

  /** A call through the AWS SDK and the exception class the SDK must turn the answer into. */
  record SdkCall(String name, Class<? extends KmsException> type, Consumer<FidelityFixture> call) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<SdkCall> sdkCalls() {
    SdkBytes message = SdkBytes.fromUtf8String("message");
    return List.of(
        new SdkCall(
            "DescribeKey of an unknown key",
            NotFoundException.class,
            x -> x.kms().describeKey(b -> b.keyId(x.resolve("$unknown")))),
        new SdkCall(
            "Encrypt with a disabled key",
            DisabledException.class,
            x -> x.kms().encrypt(b -> b.keyId(x.resolve("$disabled")).plaintext(message))),
        new SdkCall(
            "Encrypt with a key pending deletion",
            KmsInvalidStateException.class,
            x -> x.kms().encrypt(b -> b.keyId(x.resolve("$pending")).plaintext(message))),
        new SdkCall(
            "Encrypt with a signing key",
            InvalidKeyUsageException.class,
            x -> x.kms().encrypt(b -> b.keyId(x.resolve("$ecSign")).plaintext(message))),
        new SdkCall(
            "Encrypt as a dry run",
            DryRunOperationException.class,
            x -> x.kms().encrypt(b -> b.keyId(x.resolve("$sym")).plaintext(message).dryRun(true))),
        new SdkCall(
            "Decrypt naming an HMAC key",
            IncorrectKeyException.class,
            x ->
                x.kms()
                    .decrypt(
                        b ->
                            b.keyId(x.resolve("$hmac"))
                                .ciphertextBlob(
                                    SdkBytes.fromByteArray(
                                        Base64.getDecoder().decode(x.resolve("$ct")))))),
        new SdkCall(
            "CreateKey with an aws: tag",
            TagException.class,
            x -> x.kms().createKey(b -> b.tags(t -> t.tagKey("aws:x").tagValue("v")))),
        new SdkCall(
            "GetParametersForImport of an AWS_KMS key",
            UnsupportedOperationException.class,
            x ->
                x.kms()
                    .getParametersForImport(
                        b ->
                            b.keyId(x.resolve("$sym"))
                                .wrappingAlgorithm("RSAES_OAEP_SHA_256")
                                .wrappingKeySpec("RSA_2048"))),
        new SdkCall(
            "CreateAlias on an existing name",
            AlreadyExistsException.class,
            x ->
                x.kms()
                    .createAlias(
                        b -> b.aliasName(x.resolve("$alias")).targetKeyId(x.resolve("$sym")))));
  }

  /** The SDK maps our {@code __type} to its own exception class and reads status and message. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("sdkCalls")
  void theSdkParsesOurErrors(SdkCall c) {
    FidelityFixture x = FidelityFixture.shared();

    KmsException e = assertThrows(KmsException.class, () -> c.call().accept(x));

    assertEquals(c.type(), e.getClass());
    assertEquals(400, e.statusCode());
    assertNotNull(e.awsErrorDetails().errorMessage());
  }

  @Test
  void theSdkReadsKeyMetadataAsAwsNamesIt() {
    FidelityFixture x = FidelityFixture.shared();

    KeyMetadata m = x.kms().describeKey(b -> b.keyId(x.resolve("$sym"))).keyMetadata();

    assertEquals(x.resolve("$sym.arn"), m.arn());
    assertEquals(KeyState.ENABLED, m.keyState());
    assertEquals(KeySpec.SYMMETRIC_DEFAULT, m.keySpec());
    assertEquals(OriginType.AWS_KMS, m.origin());
    assertEquals(64, m.currentKeyMaterialId().length());
  }

  /**
   * Every error a row expects, ours or AWS's, is one the model lists for its operation (the API
   * reference's "Errors" section), or one of the errors any operation can give.
   */
  @Test
  void everyExpectedError_isOneTheModelListsForItsOperation() {
    Set<String> anyOperation =
        Set.of("ValidationException", "AccessDeniedException", "NotAuthorizedException");
    List<String> strays = new ArrayList<>();
    allCases()
        .forEach(
            c ->
                Stream.of(c.aws(), c.expected())
                    .filter(e -> !e.success() && !anyOperation.contains(e.type()))
                    .filter(e -> !FidelityTable.modelErrors(c.operation()).contains(e.type()))
                    .forEach(e -> strays.add(c + ": " + e.type())));
    assertEquals(List.of(), strays);
  }

  /** Authorization before key state: a caller who may not use a key learns nothing of its state. */
  @Test
  void encrypt_byAnotherAccount_withADisabledKey_isAccessDenied_notDisabled() {
    FidelityFixture x = FidelityFixture.shared();
    String body = x.request("{'KeyId':'$disabled.arn','Plaintext':'$b64'}");

    RawResponse r =
        x.server()
            .post(
                "TrentService.Encrypt",
                body,
                new TestServer.Signing()
                    .key(TestServer.OTHER_ACCESS_KEY_ID, TestServer.OTHER_SECRET_ACCESS_KEY));

    assertEquals(400, r.status());
    assertEquals("AccessDeniedException", KmsTesting.parse(r.body()).path("__type").asText());
  }

  static Stream<Case> allCases() {
    return Stream.of(cases(), AwsFidelityTableCryptoIT.cases(), AwsFidelityTableLifecycleIT.cases())
        .flatMap(List::stream);
  }

  @Test
  void everyDoneOperation_hasASuccess_aValidationError_andAnUnknownKeyWhereItTakesOne()
      throws IOException {
    Set<String> done = doneOperations();
    List<String> gaps = new ArrayList<>();
    for (String op : done) {
      List<Case> rows = allCases().filter(c -> c.operation().equals(op)).toList();
      if (rows.stream().noneMatch(c -> c.aws().success())) {
        gaps.add(op + ": no success");
      }
      if (rows.stream().noneMatch(c -> "ValidationException".equals(c.aws().type()))) {
        gaps.add(op + ": no validation error");
      }
      if (FidelityTable.takesAKey(op)
          && rows.stream().noneMatch(c -> "NotFoundException".equals(c.aws().type()))) {
        gaps.add(op + ": no unknown key");
      }
    }
    Set<String> tabled = allCases().map(Case::operation).collect(Collectors.toSet());
    assertEquals(List.of(), gaps);
    assertEquals(done, new TreeSet<>(tabled), "operations in the tables vs done operations");
    assertEquals(48, done.size(), "api-compatibility.md's count of done operations");
  }

  /** The operations docs/api-compatibility.md marks done. */
  private static Set<String> doneOperations() throws IOException {
    Matcher m =
        Pattern.compile("(?m)^\\| (\\w+) \\| done \\|")
            .matcher(Files.readString(Path.of("docs/api-compatibility.md")));
    Set<String> done = new TreeSet<>();
    while (m.find()) {
      done.add(m.group(1));
    }
    return done;
  }
}
