package org.hsmkms.kms;

/** The services for asymmetric and HMAC keys and data key pairs, handed to the API as one unit. */
public record KeyPairServices(
    AsymmetricOperations asymmetric, MacOperations macs, DataKeyPairs dataKeyPairs) {}
