package dev.gatehouse.core.config;

/**
 * {@code entryPoints.<name>.transport}.
 *
 * @param lifeCycle how the entry point shuts down; null means the defaults
 */
public record EntryPointTransportConfig(LifeCycleConfig lifeCycle) {

    public LifeCycleConfig lifeCycleOrDefault() {
        return lifeCycle == null ? new LifeCycleConfig(null, null) : lifeCycle;
    }
}
