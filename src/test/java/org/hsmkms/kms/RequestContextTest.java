package org.hsmkms.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** ARNs are made in the caller's region and account; the keys a request used, for its audit. */
class RequestContextTest {
  private final RequestContext ctx =
      new RequestContext("111122223333", "eu-west-1", "arn:aws:iam::111122223333:user/t", "r1");

  @Test
  void keyArn_isInTheCallersRegionAndAccount() {
    assertEquals(
        "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ctx.keyArn("1234abcd-12ab-34cd-56ef-1234567890ab"));
  }

  @Test
  void aliasArn_isInTheCallersRegionAndAccount() {
    assertEquals("arn:aws:kms:eu-west-1:111122223333:alias/orders", ctx.aliasArn("alias/orders"));
  }

  @Test
  void keysUsed_areListedOnceEach_inTheOrderTheRequestUsedThem() {
    ctx.used("b");
    ctx.used("a");
    ctx.used("b");

    assertEquals(
        List.of(
            "arn:aws:kms:eu-west-1:111122223333:key/b", "arn:aws:kms:eu-west-1:111122223333:key/a"),
        ctx.keysUsed().arns());
  }

  @Test
  void newRequest_hasUsedNoKey() {
    assertEquals(List.of(), ctx.keysUsed().arns());
  }
}
