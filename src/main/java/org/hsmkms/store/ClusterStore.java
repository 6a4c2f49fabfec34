package org.hsmkms.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * What several nodes sharing one database need of it beyond the metadata: who is alive, who owns
 * half-finished work, who leads the periodic work, and counters that nodes add to atomically.
 *
 * <p>Liveness is judged by the database's clock (heartbeats are written and compared in SQL), so
 * the nodes' own clocks need not agree. A node is live while its row's heartbeat is younger than
 * the lease given; a node without a row is dead.
 *
 * <p>Security: node ids are random and descriptions name a host and a process id; nothing here is
 * secret.
 */
public interface ClusterStore {

  /**
   * Registers this process as node {@code nodeId} and, from now on, writes it as the owner of the
   * unfinished work this store records (a key row in Creating, an unfinished rotation), in the
   * transaction that writes the row.
   */
  void registerNode(String nodeId, String description);

  /**
   * Moves the node's heartbeat to the database's now; false if the node has no row (it was taken
   * for dead and forgotten), in which case it is registered again.
   */
  boolean heartbeat(String nodeId, String description);

  /** Removes the node's row (a clean stop): its work counts as abandoned at once. */
  void removeNode(String nodeId);

  /**
   * Removes every other node's row: for a process that holds its embedded store alone (the file
   * lock proves that no other process uses it), whatever they left is abandoned.
   */
  int forgetOtherNodes(String nodeId);

  /** Removes the rows and work leases of nodes whose heartbeat is older than {@code lease}. */
  int forgetDeadNodes(Duration lease);

  /**
   * The ids of the unfinished work owned by live nodes: key ids of rows in Creating, Deleting or
   * PendingImport, material ids of unfinished rotations, and the work ids of live leases. Repair
   * leaves these alone.
   *
   * @param exceptNodeId a node whose work is not counted (null for none)
   */
  Set<String> workOfLiveNodes(Duration lease, String exceptNodeId);

  /** Makes {@code nodeId} the owner of the key's row (an import into a PendingImport key). */
  void ownKey(String keyId, String nodeId);

  /**
   * The compare-and-set that starts a due deletion: the key goes from PendingDeletion to Deleting,
   * owned by {@code nodeId}, only if it is still PendingDeletion with this deletion date. True if
   * this call made the change; false if another node did, or the deletion was cancelled or moved.
   */
  boolean beginDeletion(String keyId, Instant deletionDate, String nodeId);

  /** Takes a lease on work that has no row yet; false if another node holds it. */
  boolean takeLease(String workId, String nodeId);

  void releaseLease(String workId);

  /** The encryptions reserved for a material by all nodes together; 0 if none. */
  long reservedUsage(String materialId);

  /**
   * Adds {@code count} to a material's reservation atomically and answers the new total: this
   * node's reservation is the {@code count} numbers just below it.
   */
  long reserveUsage(String materialId, long count);

  /**
   * Gives {@code unused} reserved numbers back, only if the total is still {@code reservedUpTo} (no
   * node reserved after this one); true if given back.
   */
  boolean returnUsage(String materialId, long reservedUpTo, long unused);

  /**
   * The lock whose holder leads the periodic work: on PostgreSQL a session-level advisory lock on a
   * connection of its own; on an embedded store (one process) always held.
   */
  LeaderLock leaderLock();

  /** The lock whose holder runs the periodic work of the cluster. */
  interface LeaderLock extends AutoCloseable {

    /**
     * Checks that the lock is still held (its connection alive) and, if it is not, tries once to
     * take it. Answers whether this node leads now.
     */
    boolean tryLead();

    /** Whether this node held the lock at the last {@link #tryLead()}. */
    boolean leading();

    /** Gives the lock up and closes its connection. */
    @Override
    void close();
  }
}
