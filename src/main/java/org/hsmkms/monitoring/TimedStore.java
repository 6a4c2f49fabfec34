package org.hsmkms.monitoring;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.hsmkms.store.MetadataStore;

/**
 * A {@link MetadataStore} that times each call of the store under it, one timer per method of the
 * interface ({@code hsmkms_store_duration_seconds{method="findKey"}}).
 *
 * <p>A dynamic proxy rather than a hand-written decorator: the interface has some fifty methods and
 * grows with the service, and a proxy times every one, new ones included, without a line per
 * method. The timers are made up front; a call costs the proxy's argument array and a map lookup,
 * small beside a database round trip.
 */
final class TimedStore implements InvocationHandler {
  private final MetadataStore store;
  private final Map<Method, Timer> timers = new HashMap<>();

  private TimedStore(MetadataStore store, MeterRegistry registry) {
    this.store = store;
    for (Method m : MetadataStore.class.getMethods()) {
      if (!m.getName().equals("close")) {
        timers.put(
            m,
            Timer.builder("hsmkms.store.duration")
                .description("Time of one call of the metadata store, by method")
                .tag("method", m.getName())
                .serviceLevelObjectives(ServiceMetrics.LATENCY_BUCKETS)
                .register(registry));
      }
    }
  }

  static MetadataStore wrap(MetadataStore store, MeterRegistry registry) {
    return (MetadataStore)
        Proxy.newProxyInstance(
            MetadataStore.class.getClassLoader(),
            new Class<?>[] {MetadataStore.class},
            new TimedStore(store, registry));
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    Timer timer = timers.get(method);
    long start = System.nanoTime();
    try {
      return method.invoke(store, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    } finally {
      if (timer != null) {
        timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      }
    }
  }
}
