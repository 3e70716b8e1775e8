package dev.gatehouse.core.plugin;

import com.google.inject.Injector;
import dev.gatehouse.api.ApiVersion;
import dev.gatehouse.api.FailureReasons;
import dev.gatehouse.api.NamedExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.pf4j.DefaultPluginManager;
import org.pf4j.ExtensionFactory;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginState;
import org.pf4j.PluginStatusProvider;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the plugins of one folder with PF4J and collects their extensions into an {@link ExtensionRegistry}.
 *
 * <p>Every failure stays local: a jar that is corrupt or has no PF4J descriptor, a plugin that throws
 * while starting, an extension class that misses a dependency or cannot be constructed is logged with
 * the plugin's file and the reason, kept in {@link #problems()}, and left out; everything else loads.
 * PF4J's own loops would swallow some of these with a log line of their own, so this class drives PF4J
 * one plugin and one extension at a time.
 */
public final class PluginHost implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PluginHost.class);

    private final Path folder;
    private final PluginSelection selection;
    private final String apiVersion = ApiVersion.current();
    private final DefaultPluginManager pluginManager;
    private final List<PluginProblem> problems = new ArrayList<>();
    private final List<LoadedPlugin> plugins = new ArrayList<>();
    private final List<PluginListing> listing = new ArrayList<>();
    private ExtensionRegistry registry = ExtensionRegistry.builder().build();

    public PluginHost(Path folder, Injector injector) {
        this(folder, injector, PluginSelection.ALL);
    }

    /**
     * @param folder the plugins folder
     * @param injector what extensions get their constructor arguments from
     * @param selection which plugin ids may load ({@code plugins.enabled}, {@code plugins.disabled})
     */
    public PluginHost(Path folder, Injector injector, PluginSelection selection) {
        this.folder = folder;
        this.selection = selection;
        ExtensionFactory factory = new GuiceExtensionFactory(injector);
        this.pluginManager = new DefaultPluginManager(folder) {
            @Override
            protected ExtensionFactory createExtensionFactory() {
                return factory;
            }

            @Override
            protected PluginStatusProvider createPluginStatusProvider() {
                // The selection comes from the static configuration; PF4J's default would also read
                // enabled.txt / disabled.txt from the plugins folder, a second place to look for the same fact.
                return new PluginStatusProvider() {
                    @Override
                    public boolean isPluginDisabled(String pluginId) {
                        return false;
                    }

                    @Override
                    public void disablePlugin(String pluginId) {
                    }

                    @Override
                    public void enablePlugin(String pluginId) {
                    }
                };
            }
        };
        // Plugin-Requires is checked against the API's semantic version, not the gateway's: the API is what a
        // plugin is compiled against, and it changes more rarely.
        pluginManager.setSystemVersion(apiVersion);
    }

    /** Loads and starts every plugin in the folder. A missing folder means no plugins, with a warning. */
    public ExtensionRegistry load() {
        if (!Files.isDirectory(folder)) {
            LOG.warn("Plugins folder {} does not exist: no plugins loaded (no rule matchers, no file provider)", folder);
            return registry;
        }
        Map<String, Path> loadedFiles = new TreeMap<>();
        for (Path file : pluginFiles()) {
            String id;
            try {
                id = pluginManager.loadPlugin(file);
            } catch (RuntimeException | LinkageError e) {
                String reason = "cannot be loaded: " + reason(e);
                problem(file, null, reason);
                listing.add(new PluginListing(file.getFileName().toString(), null, null, "",
                        PluginListing.State.FAILED, List.of(), List.of(reason)));
                continue;
            }
            PluginDescriptor descriptor = pluginManager.getPlugin(id).getDescriptor();
            String requires = requires(descriptor);
            String disabled = selection.reasonDisabled(id);
            if (disabled != null) {
                LOG.info("Plugin {} {} from {} is disabled ({})", id, descriptor.getVersion(), file.getFileName(), disabled);
                listing.add(new PluginListing(file.getFileName().toString(), id, descriptor.getVersion(), requires,
                        PluginListing.State.DISABLED, List.of(), List.of(disabled)));
                unload(id);
                continue;
            }
            if (!compatible(requires)) {
                String reason = "plugin " + id + " " + descriptor.getVersion() + " requires Gatehouse API " + requires
                        + " but this gateway provides API " + apiVersion
                        + ": refused (use a version of the plugin built for API " + apiVersion + ")";
                problem(file, id, reason);
                listing.add(new PluginListing(file.getFileName().toString(), id, descriptor.getVersion(), requires,
                        PluginListing.State.INCOMPATIBLE, List.of(), List.of(reason)));
                unload(id);
                continue;
            }
            loadedFiles.put(id, file);
        }
        pluginManager.startPlugins();

        ExtensionRegistry.Builder builder = ExtensionRegistry.builder();
        Map<String, String> owners = new TreeMap<>();   // "kind name" -> plugin id, for clash messages
        for (Map.Entry<String, Path> entry : loadedFiles.entrySet()) {
            String id = entry.getKey();
            Path file = entry.getValue();
            PluginWrapper plugin = pluginManager.getPlugin(id);
            String requires = requires(plugin.getDescriptor());
            if (plugin.getPluginState() != PluginState.STARTED) {
                Throwable failure = plugin.getFailedException();
                String reason = "did not start (" + plugin.getPluginState() + ")" + (failure == null ? "" : ": " + reason(failure));
                problem(file, id, reason);
                listing.add(new PluginListing(file.getFileName().toString(), id, plugin.getDescriptor().getVersion(),
                        requires, PluginListing.State.FAILED, List.of(), List.of(reason)));
                continue;
            }
            int problemsBefore = problems.size();
            List<String> registered = new ArrayList<>();
            for (String className : new java.util.TreeSet<>(pluginManager.getExtensionClassNames(id))) {
                registerExtension(plugin, file, className, builder, owners, registered);
            }
            plugins.add(new LoadedPlugin(id, plugin.getDescriptor().getVersion(), file.getFileName().toString(),
                    List.copyOf(registered)));
            listing.add(new PluginListing(file.getFileName().toString(), id, plugin.getDescriptor().getVersion(),
                    requires, PluginListing.State.STARTED, registered,
                    problems.subList(problemsBefore, problems.size()).stream().map(PluginProblem::reason).toList()));
            LOG.info("Loaded plugin {} {} from {}: {}", id, plugin.getDescriptor().getVersion(), file.getFileName(),
                    registered.isEmpty() ? "no extensions" : String.join(", ", registered));
        }
        registry = builder.build();
        return registry;
    }

    private static String requires(PluginDescriptor descriptor) {
        String requires = descriptor.getRequires();
        return requires == null || requires.isBlank() || requires.strip().equals("*") ? "" : requires.strip();
    }

    /** PF4J's own rule: an empty range accepts every version, a bare version means "at least". */
    private boolean compatible(String requires) {
        if (requires.isEmpty()) {
            return true;
        }
        String expression = requires.matches("^\\d+\\.\\d+\\.\\d+$") ? ">=" + requires : requires;
        try {
            return pluginManager.getVersionManager().checkVersionConstraint(apiVersion, expression);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void unload(String id) {
        try {
            pluginManager.unloadPlugin(id);
        } catch (RuntimeException e) {
            LOG.warn("Unloading plugin {}: {}", id, FailureReasons.of(e));
        }
    }

    private void registerExtension(PluginWrapper plugin, Path file, String className, ExtensionRegistry.Builder builder,
            Map<String, String> owners, List<String> registered) {
        String id = plugin.getPluginId();
        NamedExtension extension;
        ExtensionKind kind;
        try {
            Class<?> type = plugin.getPluginClassLoader().loadClass(className);
            kind = ExtensionKind.of(type);
            if (kind == null) {
                return;   // an extension of some other PF4J extension point: not ours to use
            }
            extension = (NamedExtension) pluginManager.getExtensionFactory().create(type);
        } catch (ClassNotFoundException | LinkageError e) {
            extensionProblem(file, id, "extension " + className + " left out: class " + missingClass(e) + " not found");
            return;
        } catch (RuntimeException e) {
            extensionProblem(file, id, "extension " + className + " left out: " + reason(e));
            return;
        }
        String name;
        try {
            name = extension.name();
        } catch (RuntimeException e) {
            extensionProblem(file, id, "extension " + className + " left out: name() failed: " + reason(e));
            return;
        }
        if (name == null || name.isBlank()) {
            extensionProblem(file, id, "extension " + className + " left out: its name() is empty");
            return;
        }
        String key = kind.label() + " " + name;
        NamedExtension existing = builder.add(kind, ExtensionGuards.guard(kind, extension, id));
        if (existing != null) {
            extensionProblem(file, id, "both plugin " + owners.get(key) + " and plugin " + id + " provide " + key
                    + "; using the one from " + owners.get(key) + " (remove one of them)");
            return;
        }
        owners.put(key, id);
        registered.add(key);
    }

    private List<Path> pluginFiles() {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> {
                String name = p.getFileName().toString();
                return !name.startsWith(".") && (name.endsWith(".jar") || name.endsWith(".zip"));
            }).sorted(Comparator.comparing(Path::toString)).toList();
        } catch (IOException e) {
            LOG.error("Cannot list plugins folder {}: {}", folder, FailureReasons.of(e));
            return List.of();
        }
    }

    /** The whole plugin is left out. */
    private void problem(Path file, String pluginId, String reason) {
        problems.add(new PluginProblem(file.getFileName().toString(), pluginId, reason));
        LOG.error("Plugin {} left out: {}", file, reason);
    }

    /** One extension is left out; the plugin and its other extensions stay in use. */
    private void extensionProblem(Path file, String pluginId, String reason) {
        problems.add(new PluginProblem(file.getFileName().toString(), pluginId, reason));
        LOG.error("Plugin {} ({}): {}", file, pluginId, reason);
    }

    private static String missingClass(Throwable e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message.replace('/', '.');
    }

    private static String reason(Throwable e) {
        Throwable cause = e;
        StringBuilder reason = new StringBuilder();
        while (cause != null) {
            String message = cause.getMessage();
            String text = cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
            if (reason.indexOf(text) < 0) {
                if (reason.length() > 0) {
                    reason.append(" <- ");
                }
                reason.append(text);
            }
            cause = cause.getCause() == cause ? null : cause.getCause();
        }
        return reason.toString();
    }

    public List<PluginProblem> problems() {
        return List.copyOf(problems);
    }

    public List<LoadedPlugin> plugins() {
        return List.copyOf(plugins);
    }

    /** Every file of the folder and what became of it, in file order; complete after {@link #load()}. */
    public List<PluginListing> listing() {
        return listing.stream().sorted(Comparator.comparing(PluginListing::file)).toList();
    }

    /** The API version plugins' {@code Plugin-Requires} ranges are checked against. */
    public String apiVersion() {
        return apiVersion;
    }

    public ExtensionRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        // One by one, in reverse start order: PF4J 3.15's stopPlugins() and unloadPlugins() remove from the
        // list they iterate and throw ConcurrentModificationException. unloadPlugin() stops the plugin first.
        List<PluginWrapper> started = new ArrayList<>(pluginManager.getStartedPlugins());
        java.util.Collections.reverse(started);
        List<PluginWrapper> all = new ArrayList<>(started);
        pluginManager.getPlugins().stream().filter(p -> !all.contains(p)).forEach(all::add);
        for (PluginWrapper plugin : all) {
            try {
                pluginManager.unloadPlugin(plugin.getPluginId());
            } catch (RuntimeException e) {
                LOG.warn("Unloading plugin {}: {}", plugin.getPluginId(), FailureReasons.of(e));
            }
        }
    }
}
