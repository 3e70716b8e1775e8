package dev.gatehouse.core.plugin;

import java.util.List;

/**
 * One file of the plugins folder and what became of it: what {@code gatehouse plugins} prints and the start-up
 * log summarises.
 *
 * @param file the jar or zip, as found in the folder
 * @param id the plugin's id, or {@code null} when its descriptor could not be read
 * @param version the plugin's version, or {@code null}
 * @param requires the plugin's {@code Plugin-Requires} expression, empty when it declares none
 * @param state what happened to it
 * @param extensions what it registered, as {@code kind name} ({@code matcher Host})
 * @param reasons why it, or some of its extensions, were left out; empty when all is well
 */
public record PluginListing(String file, String id, String version, String requires, State state,
        List<String> extensions, List<String> reasons) {

    public PluginListing {
        extensions = List.copyOf(extensions);
        reasons = List.copyOf(reasons);
    }

    /** What became of a plugin file. */
    public enum State {
        /** Loaded and started; its extensions are in use (some may have been left out, see the reasons). */
        STARTED("started"),
        /** Not loaded because {@code plugins.enabled} / {@code plugins.disabled} say so. */
        DISABLED("disabled"),
        /** Not loaded because its {@code Plugin-Requires} range excludes this gateway's API version. */
        INCOMPATIBLE("incompatible"),
        /** Not loaded because it is broken: unreadable, no descriptor, or its start failed. */
        FAILED("failed");

        private final String label;

        State(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }
}
