package org.hsmkms.authz;

import java.util.AbstractMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A request's condition keys, stored once under their canonical names ({@link ConditionKeys}) and
 * immutable, so that a request whose keys are checked several times (one check per key it uses)
 * canonicalizes and copies them once. {@link #with} layers a few more keys (a KMS key's own) over
 * them without copying the rest.
 */
public final class ConditionKeyMap extends AbstractMap<String, List<String>> {
  private static final ConditionKeyMap EMPTY = new ConditionKeyMap(Map.of(), null);

  private final Map<String, List<String>> own;
  private final ConditionKeyMap parent; // null: none

  private ConditionKeyMap(Map<String, List<String>> own, ConditionKeyMap parent) {
    this.own = own;
    this.parent = parent;
  }

  /** The keys of {@code keys} under canonical names; {@code keys} itself if it is one already. */
  public static ConditionKeyMap of(Map<String, List<String>> keys) {
    if (keys instanceof ConditionKeyMap c) {
      return c;
    }
    return keys.isEmpty() ? EMPTY : new ConditionKeyMap(canonical(keys), null);
  }

  /** These keys with {@code more} over them (a key of both takes {@code more}'s values). */
  public ConditionKeyMap with(Map<String, List<String>> more) {
    return more.isEmpty() ? this : new ConditionKeyMap(canonical(more), this);
  }

  private static Map<String, List<String>> canonical(Map<String, List<String>> keys) {
    Map<String, List<String>> out = new HashMap<>(keys.size() * 2);
    for (Map.Entry<String, List<String>> e : keys.entrySet()) {
      out.put(ConditionKeys.canonical(e.getKey()), List.copyOf(e.getValue()));
    }
    return out;
  }

  @Override
  public List<String> get(Object canonicalName) {
    List<String> v = own.get(canonicalName);
    return v != null || parent == null ? v : parent.get(canonicalName);
  }

  @Override
  public boolean containsKey(Object canonicalName) {
    return get(canonicalName) != null;
  }

  /**
   * Names only: the values include the request's encryption context, which has no place in a log or
   * an exception message.
   */
  @Override
  public String toString() {
    return "ConditionKeyMap" + new java.util.TreeSet<>(keySet());
  }

  @Override
  public Set<Map.Entry<String, List<String>>> entrySet() {
    // Rarely used (equality, printing): the merged view, built on demand.
    Map<String, List<String>> all = new LinkedHashMap<>();
    if (parent != null) {
      all.putAll(parent);
    }
    all.putAll(own);
    return java.util.Collections.unmodifiableMap(all).entrySet();
  }
}
