package dev.gatehouse.core.udp;

import dev.gatehouse.core.config.dynamic.udp.UdpRouterConfig;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.runtime.ElementOrigin;
import dev.gatehouse.core.runtime.Status;
import java.util.List;

/**
 * A UDP router as the API shows it.
 *
 * @param config its configuration; null when it could not be read
 * @param using the UDP entry points it serves
 */
public record UdpRouterInfo(String name, UdpRouterConfig config, ElementOrigin origin, Status status,
        List<ConfigProblem> errors, List<String> using) {

    public UdpRouterInfo {
        errors = List.copyOf(errors);
        using = List.copyOf(using);
    }
}
