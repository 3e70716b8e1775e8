package dev.gatehouse.core.plugin;

import dev.gatehouse.core.config.PluginsConfig;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which plugins of the folder may load, from {@code plugins.enabled} and {@code plugins.disabled}: an empty
 * allow list allows every plugin; the deny list always wins. Ids are compared exactly, as PF4J does.
 *
 * @param enabled when not empty, the only ids that load
 * @param disabled ids that never load
 */
public record PluginSelection(Set<String> enabled, Set<String> disabled) {

    /** Every plugin loads. */
    public static final PluginSelection ALL = new PluginSelection(Set.of(), Set.of());

    public PluginSelection {
        enabled = Set.copyOf(enabled);
        disabled = Set.copyOf(disabled);
    }

    public static PluginSelection of(PluginsConfig config) {
        return new PluginSelection(trimmed(config.enabled()), trimmed(config.disabled()));
    }

    private static Set<String> trimmed(List<String> ids) {
        Set<String> set = new LinkedHashSet<>();
        ids.stream().map(String::strip).filter(id -> !id.isEmpty()).forEach(set::add);
        return set;
    }

    /** Why the plugin does not load, or {@code null} when it may. */
    public String reasonDisabled(String pluginId) {
        if (disabled.contains(pluginId)) {
            return "listed in plugins.disabled";
        }
        if (!enabled.isEmpty() && !enabled.contains(pluginId)) {
            return "not listed in plugins.enabled";
        }
        return null;
    }
}
