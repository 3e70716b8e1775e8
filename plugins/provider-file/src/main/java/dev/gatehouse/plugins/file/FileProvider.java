package dev.gatehouse.plugins.file;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.api.GatewayEnvironment;
import dev.gatehouse.api.Provider;
import dev.gatehouse.api.ProviderContext;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SortedMap;
import org.pf4j.Extension;

/**
 * Traefik's file provider: dynamic configuration from one YAML/TOML file or a folder of them,
 * re-read when they change.
 *
 * <p>Each file becomes one {@link dev.gatehouse.api.ConfigurationFragment} whose origin is the file's
 * path; the gateway validates and names the elements ({@code name@file}). A file that stops parsing
 * keeps contributing its last good version, with the syntax error attached, so a typo in one file never
 * takes routes down.
 */
@Extension
public final class FileProvider implements Provider<FileProviderConfig> {

    private final GatewayEnvironment environment;

    @Inject
    public FileProvider(GatewayEnvironment environment) {
        this.environment = requireNonNull(environment, "environment");
    }

    @Override
    public String name() {
        return "file";
    }

    @Override
    public Class<FileProviderConfig> configType() {
        return FileProviderConfig.class;
    }

    @Override
    public Running start(FileProviderConfig config, ProviderContext context) throws Exception {
        requireNonNull(config, "config");
        requireNonNull(context, "context");
        if (config.filename() != null && config.directory() != null) {
            throw new IllegalArgumentException(
                    "providers.file: set either filename or directory, not both (filename: " + config.filename()
                            + ", directory: " + config.directory() + ")");
        }
        if (config.filename() == null && config.directory() == null) {
            throw new IllegalArgumentException(
                    "providers.file: set either filename (one file) or directory (a folder of files); neither is set");
        }

        DynamicFiles files;
        Path root;
        Path file = null;
        if (config.filename() != null) {
            file = environment.resolve(config.filename()).toAbsolutePath().normalize();
            if (!Files.exists(file)) {
                throw new IllegalArgumentException("providers.file.filename: " + file + " does not exist");
            }
            if (Files.isDirectory(file)) {
                throw new IllegalArgumentException("providers.file.filename: " + file
                        + " is a folder; use providers.file.directory for a folder");
            }
            files = DynamicFiles.ofFile(file);
            root = file.getParent();
        } else {
            root = environment.resolve(config.directory()).toAbsolutePath().normalize();
            if (!Files.exists(root)) {
                throw new IllegalArgumentException("providers.file.directory: " + root + " does not exist");
            }
            if (!Files.isDirectory(root)) {
                throw new IllegalArgumentException("providers.file.directory: " + root
                        + " is not a folder; use providers.file.filename for a single file");
            }
            files = DynamicFiles.ofDirectory(root);
        }

        SnapshotPublisher publisher = new SnapshotPublisher(context);
        if (!config.watch()) {
            publisher.publish(files.read());
            return publisher::close;
        }
        // Watch first, read second: a change made while reading is then seen by the watcher.
        FileWatcher watcher = FileWatcher.register(files, publisher, root, file);
        SortedMap<Path, DynamicFiles.FileRead> first;
        try {
            first = files.observe();
            publisher.publish(files.snapshot(first));
        } catch (RuntimeException e) {
            watcher.close();
            throw e;
        }
        watcher.start(first);
        return watcher;
    }
}
