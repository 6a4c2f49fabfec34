package org.hsmkms.cli;

import java.io.IOException;
import org.hsmkms.Application;
import org.hsmkms.config.Config;

/** {@code serve --config FILE}: the service as production runs it. */
public final class ServeCommand {
  private ServeCommand() {}

  public static void run(String[] args) throws IOException {
    if (args.length != 3 || !"--config".equals(args[1])) {
      throw new IllegalArgumentException("usage: hsm-kms serve --config FILE");
    }
    Config config = Startup.loadConfig(args[2]);
    config.checkForServe();
    Application app = Startup.start(config, hsm -> {});
    System.out.println(
        "hsm-kms is listening on "
            + (config.server().tls() == null ? "http://" : "https://")
            + config.server().host()
            + ":"
            + app.port());
  }
}
