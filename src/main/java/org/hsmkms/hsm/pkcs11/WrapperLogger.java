package org.hsmkms.hsm.pkcs11;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes the PKCS#11 wrapper's own messages (banner, one line per session) to our logger instead of
 * stdout. Its info chatter becomes debug. Debug and trace from the wrapper stay off: they can dump
 * attribute values.
 */
final class WrapperLogger implements org.xipki.pkcs11.wrapper.Logger {
  private static final Logger LOG = LoggerFactory.getLogger("org.hsmkms.hsm.pkcs11.wrapper");

  static void install() {
    org.xipki.pkcs11.wrapper.StaticLogger.setLogger(new WrapperLogger());
  }

  @Override
  public void info(String format, Object... args) {
    LOG.debug(format, args);
  }

  @Override
  public void warn(String format, Object... args) {
    LOG.warn(format, args);
  }

  @Override
  public void error(String format, Object... args) {
    LOG.error(format, args);
  }

  @Override
  public void debug(String format, Object... args) {}

  @Override
  public void trace(String format, Object... args) {}

  @Override
  public boolean isDebugEnabled() {
    return false;
  }

  @Override
  public boolean isInfoEnabled() {
    return LOG.isDebugEnabled();
  }

  @Override
  public boolean isWarnEnabled() {
    return true;
  }

  @Override
  public boolean isTraceEnabled() {
    return false;
  }
}
