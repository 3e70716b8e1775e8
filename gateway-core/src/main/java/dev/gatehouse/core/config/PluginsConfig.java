package dev.gatehouse.core.config;

import java.util.List;

/**
 * {@code plugins}.
 *
 * @param dir the folder plugins are loaded from; a relative path is resolved against the
 *        configuration file's folder (see {@link LoadedConfiguration#pluginsDirectory()})
 * @param enabled when not empty, only the plugins with these ids are loaded (an allow list)
 * @param disabled plugins with these ids are not loaded, even when {@code enabled} names them
 */
public record PluginsConfig(String dir, List<String> enabled, List<String> disabled) {

    public PluginsConfig {
        enabled = enabled == null ? List.of() : List.copyOf(enabled);
        disabled = disabled == null ? List.of() : List.copyOf(disabled);
    }
}
