package dev.gatehouse.core;

import com.google.inject.Guice;
import dev.gatehouse.core.config.LoadedConfiguration;
import dev.gatehouse.core.plugin.PluginHost;
import dev.gatehouse.core.plugin.PluginListing;
import dev.gatehouse.core.plugin.PluginSelection;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code gatehouse plugins}: lists what is in the plugins folder and whether each plugin would load, with the
 * reason when it would not. It loads and starts the plugins exactly as the gateway does (same folder, same
 * {@code plugins.enabled} / {@code plugins.disabled}, same API version check), then unloads them; nothing
 * listens.
 *
 * <pre>
 * Plugins in /opt/gatehouse/plugins (Gatehouse API 0.2.2):
 *   matchers-http-0.1.0.jar  matchers-http 0.1.0  started
 *       matcher Host, matcher Path, ...
 *   old-plugin-1.0.jar       old-plugin 1.0.0     incompatible
 *       plugin old-plugin 1.0.0 requires Gatehouse API &gt;=2.0.0 but this gateway provides API 0.2.2: ...
 * </pre>
 */
public final class PluginsCommand {

    private PluginsCommand() {
    }

    /** @return 0 when every plugin that is not disabled would load with all its extensions, 1 otherwise */
    public static int run(LoadedConfiguration loaded, PrintStream out) {
        Path folder = loaded.pluginsDirectory();
        try (PluginHost host = new PluginHost(folder, Guice.createInjector(new GatewayModule(loaded)),
                PluginSelection.of(loaded.configuration().pluginsOrDefault()))) {
            out.println("Plugins in " + folder + " (Gatehouse API " + host.apiVersion() + "):");
            if (!Files.isDirectory(folder)) {
                out.println("  the folder does not exist");
                return 1;
            }
            host.load();
            List<PluginListing> listing = host.listing();
            if (listing.isEmpty()) {
                out.println("  no plugin files (*.jar, *.zip)");
            }
            boolean ok = true;
            for (PluginListing plugin : listing) {
                String who = plugin.id() == null ? "?" : plugin.id() + " " + plugin.version();
                String requires = plugin.requires().isEmpty() ? "" : "  (requires API " + plugin.requires() + ")";
                out.println("  " + plugin.file() + "  " + who + "  " + plugin.state().label() + requires);
                if (!plugin.extensions().isEmpty()) {
                    out.println("      " + String.join(", ", plugin.extensions()));
                }
                for (String reason : plugin.reasons()) {
                    out.println("      " + reason);
                }
                if (plugin.state() != PluginListing.State.DISABLED && !plugin.reasons().isEmpty()) {
                    ok = false;
                }
            }
            return ok ? 0 : 1;
        }
    }
}
