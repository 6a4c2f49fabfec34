package org.hsmkms.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The order in which AWS KMS lists an enum's values in "Member must satisfy enum value set: [...]",
 * where it is known and differs from the API model's order. AWS's order is that of its own service
 * code, not of the published model; only orders recorded from AWS are entered here, each with its
 * source. Every other enum is listed in the model's order (docs/aws-fidelity.md).
 */
final class AwsEnumOrders {
  /** Shape name of the model to the values in AWS's order. */
  private static final Map<String, List<String>> ORDERS =
      Map.of(
          // Recorded from AWS by LocalStack (services/kms/provider.py, _validate_mac_algorithm;
          // services/kms/models.py, _get_hmac_context) and moto (kms/models.py).
          "MacAlgorithmSpec",
          List.of("HMAC_SHA_384", "HMAC_SHA_256", "HMAC_SHA_224", "HMAC_SHA_512"),
          // Recorded from AWS by moto (kms/models.py, CreateKey of an HMAC spec) before
          // KEY_AGREEMENT existed. Where AWS now lists KEY_AGREEMENT could not be determined: it
          // follows AWS's three here, so that the list names every value AWS accepts.
          "KeyUsageType",
          List.of("ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT"));

  private AwsEnumOrders() {}

  /**
   * The values of {@code shape} in AWS's order: the recorded ones first, in AWS's order, then any
   * value of the model the record does not have, in the model's order. A recorded value the model
   * no longer has is left out.
   */
  static List<String> of(String shape, List<String> modelOrder) {
    List<String> aws = ORDERS.get(shape);
    if (aws == null) {
      return modelOrder;
    }
    List<String> out = new ArrayList<>();
    for (String v : aws) {
      if (modelOrder.contains(v)) {
        out.add(v);
      }
    }
    for (String v : modelOrder) {
      if (!out.contains(v)) {
        out.add(v);
      }
    }
    return List.copyOf(out);
  }
}
