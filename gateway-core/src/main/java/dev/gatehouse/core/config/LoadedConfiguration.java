package dev.gatehouse.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The static configuration as loaded, with what is needed to read the rest of it: where it came
 * from, how to resolve relative paths, and how to bind plugin-defined sections.
 *
 * @param configuration the bound configuration
 * @param configFile the file read, or null when the embedded default was used
 * @param baseDirectory the configuration file's folder, else the working directory; relative paths
 *        in the configuration are resolved against it
 * @param home the installation folder given to the loader, or null
 * @param origins where each key came from
 */
public record LoadedConfiguration(
        StaticConfiguration configuration,
        Path configFile,
        Path baseDirectory,
        Path home,
        ConfigOrigins origins) {

    public LoadedConfiguration {
        Objects.requireNonNull(configuration, "configuration");
        Objects.requireNonNull(baseDirectory, "baseDirectory");
        Objects.requireNonNull(origins, "origins");
    }

    /**
     * Binds a section whose type a plugin defines, such as {@code providers.file}, with the same
     * strictness and error messages as the rest of the static configuration.
     *
     * @param keyPath the section's dotted path, used in messages and to find where keys came from
     * @param node the section's raw options (from {@link ProvidersConfig#providers()}); null binds as empty
     * @throws ConfigurationException listing every unknown key and bad value
     */
    public <T> T bindSection(String keyPath, JsonNode node, Class<T> type) throws ConfigurationException {
        Objects.requireNonNull(keyPath, "keyPath");
        Objects.requireNonNull(type, "type");
        JsonNode source = node == null || node.isNull() ? StaticConfigurationLoader.MAPPER.createObjectNode() : node;
        List<String> problems = new ArrayList<>();
        T value = new ConfigBinder(StaticConfigurationLoader.MAPPER)
                .bind(source, type, List.of(keyPath.split("\\.")), origins, problems);
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems);
        }
        return value;
    }

    /** An absolute path as is; a relative one against {@link #baseDirectory()}. */
    public Path resolve(String path) {
        Path p = Path.of(path);
        return p.isAbsolute() ? p.normalize() : baseDirectory.resolve(p).normalize();
    }

    /**
     * The plugins folder: {@code plugins.dir} resolved, else {@code <home>/plugins}, else
     * {@code plugins} in the base directory.
     */
    public Path pluginsDirectory() {
        String dir = configuration.pluginsOrDefault().dir();
        if (dir != null && !dir.isBlank()) {
            return resolve(dir);
        }
        return home != null ? home.resolve("plugins").normalize() : baseDirectory.resolve("plugins").normalize();
    }
}
