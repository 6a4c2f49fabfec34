package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyListEntry;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.ListKeysResponse;

/** What the API tests share: making keys and aliases, naming keys, asserting AWS errors. */
final class KmsTesting {
  static final String ACCOUNT = TestServer.ACCOUNT;
  static final String REGION = "us-east-1";
  static final ObjectMapper JSON = new ObjectMapper();

  private KmsTesting() {}

  /** A key a test made, with the four ways a KeyId can name it. */
  record TestKey(String keyId, String arn, String aliasName, String aliasArn) {}

  /** The four KeyId forms AWS accepts wherever an alias is allowed. */
  enum KeyIdForm {
    KEY_ID {
      @Override
      String of(TestKey k) {
        return k.keyId();
      }
    },
    KEY_ARN {
      @Override
      String of(TestKey k) {
        return k.arn();
      }
    },
    ALIAS_NAME {
      @Override
      String of(TestKey k) {
        return k.aliasName();
      }
    },
    ALIAS_ARN {
      @Override
      String of(TestKey k) {
        return k.aliasArn();
      }
    };

    abstract String of(TestKey k);
  }

  /** A new symmetric key in the client's region, with an alias of its own. */
  static TestKey newKeyWithAlias(KmsClient kms, String region) {
    String keyId = newKey(kms);
    String alias = uniqueAliasName();
    kms.createAlias(b -> b.aliasName(alias).targetKeyId(keyId));
    return new TestKey(keyId, keyArn(region, keyId), alias, aliasArn(region, alias));
  }

  static TestKey newKeyWithAlias(KmsClient kms) {
    return newKeyWithAlias(kms, REGION);
  }

  /** A new symmetric key with default settings; answers its key id. */
  static String newKey(KmsClient kms) {
    return kms.createKey(b -> {}).keyMetadata().keyId();
  }

  static String uniqueAliasName() {
    return "alias/it-" + UUID.randomUUID();
  }

  static String keyArn(String region, String keyId) {
    return "arn:aws:kms:" + region + ":" + ACCOUNT + ":key/" + keyId;
  }

  static String keyArn(String keyId) {
    return keyArn(REGION, keyId);
  }

  static String aliasArn(String region, String aliasName) {
    return "arn:aws:kms:" + region + ":" + ACCOUNT + ":" + aliasName;
  }

  /** Every key id ListKeys reports for the client's region, across all pages. */
  static List<String> allKeyIds(KmsClient kms) {
    List<String> ids = new ArrayList<>();
    String marker = null;
    do {
      String m = marker;
      ListKeysResponse page = kms.listKeys(b -> b.limit(1000).marker(m));
      page.keys().stream().map(KeyListEntry::keyId).forEach(ids::add);
      marker = page.truncated() ? page.nextMarker() : null;
    } while (marker != null);
    return ids;
  }

  /**
   * Asserts that {@code call} fails with the AWS error {@code errorCode}, for the error types the
   * SDK has no class for (ValidationException, SerializationException, ...).
   */
  static KmsException assertAwsError(String errorCode, Executable call) {
    KmsException e = assertThrows(KmsException.class, call);
    assertEquals(
        errorCode,
        e.awsErrorDetails().errorCode(),
        () -> "error message: " + e.awsErrorDetails().errorMessage());
    return e;
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + json, e);
    }
  }
}
