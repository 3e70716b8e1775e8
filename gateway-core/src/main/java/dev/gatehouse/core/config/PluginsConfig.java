package dev.gatehouse.core.config;

/**
 * {@code plugins}.
 *
 * @param dir the folder plugins are loaded from; a relative path is resolved against the
 *        configuration file's folder (see {@link LoadedConfiguration#pluginsDirectory()})
 */
public record PluginsConfig(String dir) {
}
