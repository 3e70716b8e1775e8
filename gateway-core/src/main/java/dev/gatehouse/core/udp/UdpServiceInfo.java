package dev.gatehouse.core.udp;

import dev.gatehouse.core.config.dynamic.udp.UdpServiceConfig;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.runtime.ElementOrigin;
import dev.gatehouse.core.runtime.Status;
import java.util.List;

/**
 * A UDP service as the API shows it.
 *
 * @param config its configuration; null when it could not be read
 * @param usedBy the UDP routers (and weighted UDP services) that send to it
 */
public record UdpServiceInfo(String name, UdpServiceConfig config, ElementOrigin origin, Status status,
        List<ConfigProblem> errors, List<String> usedBy) {

    public UdpServiceInfo {
        errors = List.copyOf(errors);
        usedBy = List.copyOf(usedBy);
    }
}
