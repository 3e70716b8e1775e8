package dev.gatehouse.api;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One part of a provider's snapshot, as read: a tree in Traefik's dynamic layout
 * ({@code http.routers}, {@code http.services}, {@code http.middlewares}, {@code tls}) made of
 * {@code Map<String, Object>}, {@code List<Object>} and scalars, not yet validated.
 *
 * <p>The gateway binds and checks each element of the tree on its own, and names {@link #origin()} in
 * every error it finds there, so a user learns which file or container to fix.
 *
 * <pre>{@code
 * ConfigurationFragment fragment = ConfigurationFragment.of("/etc/gatehouse/dynamic/app.yml", Map.of(
 *         "http", Map.of("routers", Map.of("app", Map.of("rule", "Host(`app.example.com`)", "service", "app")))));
 * ConfigurationFragment broken = ConfigurationFragment.failed("/etc/gatehouse/dynamic/bad.yml",
 *         "line 3: mapping values are not allowed here");
 * }</pre>
 *
 * @param origin where the content came from, as a user would recognise it: a file path, a container name
 * @param content the raw tree; empty when the source could not be read
 * @param errors problems the provider found in the source itself (a YAML syntax error, say), each a
 *     complete sentence; the gateway logs them and reports them in the API
 */
public record ConfigurationFragment(String origin, Map<String, Object> content, List<String> errors) {

    public ConfigurationFragment {
        Objects.requireNonNull(origin, "origin");
        content = content == null ? Map.of() : content;
        errors = errors == null ? List.of() : List.copyOf(errors);
    }

    /** A fragment that was read without trouble. */
    public static ConfigurationFragment of(String origin, Map<String, Object> content) {
        return new ConfigurationFragment(origin, content, List.of());
    }

    /** A source that could not be read at all. */
    public static ConfigurationFragment failed(String origin, String error) {
        return new ConfigurationFragment(origin, Map.of(), List.of(error));
    }
}
