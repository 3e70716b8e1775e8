package dev.gatehouse.core.config;

/** {@code demo}: built-in demonstration routes. Enabled by presence; no options yet. */
@EnabledByPresence
public record DemoConfig() {
}
