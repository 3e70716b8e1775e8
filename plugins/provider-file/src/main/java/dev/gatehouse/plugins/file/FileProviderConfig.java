package dev.gatehouse.plugins.file;

/**
 * Options of the file provider, under {@code providers.file}, with Traefik's names.
 *
 * <pre>{@code
 * providers:
 *   file:
 *     directory: dynamic/      # or filename: dynamic.yml (exactly one of the two)
 *     watch: true              # default
 * }</pre>
 *
 * @param filename one dynamic configuration file ({@code .yml}, {@code .yaml} or {@code .toml})
 * @param directory a folder of dynamic configuration files, read recursively
 * @param watch whether to re-read on change; {@code true} when not set
 */
public record FileProviderConfig(String filename, String directory, Boolean watch) {

    public FileProviderConfig {
        filename = blankToNull(filename);
        directory = blankToNull(directory);
        // Traefik watches unless told not to; an absent option binds as null.
        watch = watch == null ? Boolean.TRUE : watch;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
