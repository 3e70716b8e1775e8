package dev.gatehouse.api;

import java.nio.file.Path;

/**
 * Facts about the running gateway that an extension may need. Ask for it in the extension's
 * constructor ({@code @Inject}); the gateway supplies it.
 *
 * <pre>{@code
 * @Extension
 * public final class FileProvider implements Provider<FileProvider.Config> {
 *     private final GatewayEnvironment environment;
 *
 *     @Inject
 *     public FileProvider(GatewayEnvironment environment) { this.environment = environment; }
 *     ...
 *         Path file = environment.resolve(config.filename());
 * }
 * }</pre>
 */
public interface GatewayEnvironment {

    /** The gateway's version, as {@code gatehouse version} prints it. */
    String version();

    /** The installation folder (the one holding {@code bin/}, {@code lib/} and {@code plugins/}). */
    Path home();

    /**
     * Resolves a path from configuration the way the gateway resolves its own: absolute paths as they
     * are; relative ones against the folder of the static configuration file, or the working directory
     * when there is no file.
     */
    Path resolve(String path);
}
