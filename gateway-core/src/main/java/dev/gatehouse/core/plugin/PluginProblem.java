package dev.gatehouse.core.plugin;

/**
 * A plugin, or one extension of it, that was left out, and why.
 *
 * @param file the plugin's jar or zip, as found in the plugins folder
 * @param pluginId the plugin's id when its descriptor could be read, else {@code null}
 * @param reason what went wrong, as a sentence a user can act on
 */
public record PluginProblem(String file, String pluginId, String reason) {

    @Override
    public String toString() {
        return "plugin " + file + (pluginId == null ? "" : " (" + pluginId + ")") + ": " + reason;
    }
}
