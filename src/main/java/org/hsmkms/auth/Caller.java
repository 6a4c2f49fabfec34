package org.hsmkms.auth;

/** Who made a request and which account and region it acts in. */
public record Caller(String account, String region, String principalArn, String accessKeyId) {}
