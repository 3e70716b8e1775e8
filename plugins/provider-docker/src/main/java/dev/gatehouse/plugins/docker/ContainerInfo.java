package dev.gatehouse.plugins.docker;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the provider needs to know of one container, read from the engine's inspect answer. Kept apart from
 * docker-java's types so that the label logic is tested with plain values, without an engine.
 *
 * @param id the container's id
 * @param name its name, without Docker's leading {@code /}
 * @param labels its labels, as set
 * @param running whether it runs (paused containers run too)
 * @param paused whether it is paused
 * @param health {@code healthy}, {@code unhealthy}, {@code starting}; null when it has no health check
 * @param networkMode {@code HostConfig.NetworkMode}: {@code host}, {@code container:<id>}, a network name...
 * @param networks network name to the container's address on it, in the engine's order
 * @param ports the exposed ports with their published bindings
 */
record ContainerInfo(String id, String name, Map<String, String> labels, boolean running, boolean paused, String health,
        String networkMode, Map<String, String> networks, List<PortInfo> ports) {

    ContainerInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        labels = labels == null ? Map.of() : labels;
        networkMode = networkMode == null ? "" : networkMode;
        networks = networks == null ? Map.of() : networks;
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    /** Whether the container may get traffic: running, not paused, and healthy when it has a health check. */
    boolean serving() {
        return running && !paused && (health == null || health.isEmpty() || "healthy".equals(health));
    }

    /** One exposed port, e.g. 80/tcp, and where it is published on the host. */
    record PortInfo(int port, String protocol, List<Binding> bindings) {
        PortInfo {
            bindings = bindings == null ? List.of() : List.copyOf(bindings);
        }
    }

    /** One published address of a port: {@code hostIp} may be empty or 0.0.0.0 (all addresses). */
    record Binding(String hostIp, String hostPort) {
    }
}
