package dev.gatehouse.api;

import java.util.List;
import java.util.Objects;

/**
 * Everything one provider sees at one moment, as a list of fragments (one per file, one per
 * container...). The gateway merges the fragments; an element defined differently in two fragments
 * is an error on that element, reported with both origins.
 *
 * <pre>{@code
 * context.publish(ConfigurationSnapshot.of(fragmentOfFileA, fragmentOfFileB));
 * }</pre>
 *
 * @param fragments the parts, in a stable order
 */
public record ConfigurationSnapshot(List<ConfigurationFragment> fragments) {

    public ConfigurationSnapshot {
        fragments = List.copyOf(Objects.requireNonNull(fragments, "fragments"));
    }

    public static ConfigurationSnapshot of(ConfigurationFragment... fragments) {
        return new ConfigurationSnapshot(List.of(fragments));
    }
}
