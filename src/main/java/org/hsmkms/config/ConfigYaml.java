package org.hsmkms.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads {@link Config} from its YAML file. An unknown setting is an error, not ignored: a misspelt
 * key would otherwise silently leave its default in force.
 */
final class ConfigYaml {
  private ConfigYaml() {}

  static Config read(Path file) throws IOException {
    ObjectMapper yaml =
        new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    return yaml.readValue(Files.readString(file), Config.class);
  }
}
