package org.hsmkms.config;

/**
 * The {@code work} component: how the HSM sessions ({@code hsm.sessions}) are shared between the
 * classes of work, and how much work each class may keep waiting (see docs/architecture.md, "Work
 * classes"). Each class runs on threads of its own, no more than its share of the sessions, so that
 * RSA generation (slow) cannot hold up AES work (fast), and neither holds up the service's own work
 * (background: credential reload, sweeps, rotation).
 *
 * <p>A request of a class whose queue for the caller's account ({@code *QueuePerAccount}) or whose
 * queue in all ({@code *QueueBound}) is full is answered ThrottlingException at once.
 *
 * @param slowThreads default 1 on up to 2 cores (an RSA-4096 generation keeps a core busy), else a
 *     quarter of the sessions
 * @param backgroundThreads default 1
 * @param fastThreads default the sessions left: {@code hsm.sessions - slow - background}
 * @param fastQueuePerAccount default 256
 * @param fastQueueBound default 4096
 * @param slowQueuePerAccount default 8 (a queue of RSA-4096 generations is seconds long)
 * @param slowQueueBound default 64
 */
public record Work(
    Integer slowThreads,
    Integer backgroundThreads,
    Integer fastThreads,
    Integer fastQueuePerAccount,
    Integer fastQueueBound,
    Integer slowQueuePerAccount,
    Integer slowQueueBound) {
  public Work {
    backgroundThreads = backgroundThreads == null ? 1 : backgroundThreads;
    fastQueuePerAccount = fastQueuePerAccount == null ? 256 : fastQueuePerAccount;
    fastQueueBound = fastQueueBound == null ? 4096 : fastQueueBound;
    slowQueuePerAccount = slowQueuePerAccount == null ? 8 : slowQueuePerAccount;
    slowQueueBound = slowQueueBound == null ? 64 : slowQueueBound;
    positive("work.backgroundThreads", backgroundThreads);
    queue("work.fast", fastQueuePerAccount, fastQueueBound);
    queue("work.slow", slowQueuePerAccount, slowQueueBound);
    if (slowThreads != null) {
      positive("work.slowThreads", slowThreads);
    }
    if (fastThreads != null) {
      positive("work.fastThreads", fastThreads);
    }
  }

  /** Every default. */
  public static Work defaults() {
    return new Work(null, null, null, null, null, null, null);
  }

  /**
   * The threads of each class out of {@code sessions}, with the defaults worked out; {@code
   * oversubscribed} when they exceed the sessions (then a class may wait for another's sessions).
   */
  public record Shares(int fast, int slow, int background, boolean oversubscribed) {}

  /**
   * The shares of {@code sessions} on a machine of {@code cores}. Refused when the classes given
   * here add up to more than the sessions (a class would then wait for another's). With the
   * defaults and fewer than 3 sessions every class still gets one thread, oversubscribed.
   */
  public Shares shares(int sessions, int cores) {
    int slow = slowThreads != null ? slowThreads : cores <= 2 ? 1 : Math.max(1, sessions / 4);
    int fast = fastThreads != null ? fastThreads : sessions - slow - backgroundThreads;
    boolean given = slowThreads != null || fastThreads != null;
    if (fast < 1 && !given) {
      fast = 1;
    } else if (fast < 1 || fast + slow + backgroundThreads > sessions) {
      throw new IllegalArgumentException(
          "work: fastThreads ("
              + fast
              + ") + slowThreads ("
              + slow
              + ") + backgroundThreads ("
              + backgroundThreads
              + ") must be at least 1 each and at most hsm.sessions ("
              + sessions
              + ")");
    }
    return new Shares(fast, slow, backgroundThreads, fast + slow + backgroundThreads > sessions);
  }

  private static void positive(String name, int value) {
    if (value < 1 || value > 1024) {
      throw new IllegalArgumentException(name + " must be 1..1024");
    }
  }

  private static void queue(String prefix, int perAccount, int bound) {
    if (perAccount < 1 || bound < perAccount || bound > 1_000_000) {
      throw new IllegalArgumentException(
          prefix
              + "QueuePerAccount must be at least 1, and "
              + prefix
              + "QueueBound 1..1000000 and at least it");
    }
  }
}
