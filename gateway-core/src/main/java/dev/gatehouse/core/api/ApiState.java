package dev.gatehouse.core.api;

import dev.gatehouse.core.dynamic.BoundConfiguration;
import dev.gatehouse.core.runtime.GatewayRuntime;
import dev.gatehouse.core.udp.UdpRouting;

/**
 * What the API shows: the configuration as bound and the runtime built from it, from one application of the
 * configuration (so they always agree).
 */
public record ApiState(BoundConfiguration configuration, GatewayRuntime runtime, UdpRouting udp) {

    /** A state without UDP routers and services. */
    public ApiState(BoundConfiguration configuration, GatewayRuntime runtime) {
        this(configuration, runtime, UdpRouting.EMPTY);
    }

    public static final ApiState EMPTY = new ApiState(
            new BoundConfiguration(java.util.Map.of(), java.util.Map.of(), java.util.Map.of(), java.util.List.of()),
            GatewayRuntime.EMPTY);
}
