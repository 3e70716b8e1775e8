package dev.gatehouse.plugins.docker;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a container is reached: Traefik's order of choices for the address and the port.
 *
 * <p>Address: with {@code useBindPortIP}, the published {@code hostIp:hostPort} of the port when its host IP is a
 * real one (not empty, not {@code 0.0.0.0}); else the container's address on the network named by
 * {@code traefik.docker.network} or {@code providers.docker.network}; {@code network_mode: host} containers at
 * the host address; {@code network_mode: container:<x>} containers at the address of {@code <x>}; else the first
 * network shared with the gateway's own container; else the first network with an address.
 *
 * <p>Port: the {@code loadbalancer.server.port} label; else the only exposed port; else the lowest of them.
 */
final class Addresses {

    private Addresses() {
    }

    /**
     * Fills {@code hostPort} with the address and port, or returns why there is none. Warnings (a named network that
     * the container is not on) go to {@code warnings}.
     */
    static String choose(ContainerInfo container, String portLabel, String network, boolean useBindPortIP,
            Map<String, ContainerInfo> byIdOrName, Set<String> gatewayNetworks, String hostAddress, String[] hostPort,
            List<String> warnings) {
        String port = portLabel;
        if (port == null || port.isEmpty()) {
            port = container.ports().stream().min(Comparator.comparingInt(ContainerInfo.PortInfo::port))
                    .map(p -> Integer.toString(p.port())).orElse(null);
        }
        if (port == null) {
            return "port is missing: the container exposes no port; set the label "
                    + "traefik.http.services.<service>.loadbalancer.server.port";
        }
        try {
            int number = Integer.parseInt(port);
            if (number < 1 || number > 65535) {
                return "port '" + port + "' is not between 1 and 65535";
            }
        } catch (NumberFormatException e) {
            return "port '" + port + "' is not a number";
        }
        if (useBindPortIP) {
            for (ContainerInfo.PortInfo p : container.ports()) {
                if (Integer.toString(p.port()).equals(port)) {
                    for (ContainerInfo.Binding binding : p.bindings()) {
                        String ip = binding.hostIp();
                        if (ip != null && !ip.isEmpty() && !ip.equals("0.0.0.0") && !ip.equals("::")
                                && binding.hostPort() != null && !binding.hostPort().isEmpty()) {
                            hostPort[0] = ip;
                            hostPort[1] = binding.hostPort();
                            return null;
                        }
                    }
                }
            }
            // As Traefik: no usable binding falls back to the container's own address and port.
        }
        String ip = address(container, network, byIdOrName, gatewayNetworks, hostAddress, warnings, 0);
        if (ip == null) {
            return "the container has no IP address on any network";
        }
        hostPort[0] = ip;
        hostPort[1] = port;
        return null;
    }

    private static String address(ContainerInfo container, String network, Map<String, ContainerInfo> byIdOrName,
            Set<String> gatewayNetworks, String hostAddress, List<String> warnings, int depth) {
        if (network != null) {
            String ip = container.networks().get(network);
            if (ip != null && !ip.isEmpty()) {
                return ip;
            }
            if (!container.networks().isEmpty()) {
                warnings.add("network '" + network + "' (traefik.docker.network or providers.docker.network) is not one of"
                        + " the container's (" + String.join(", ", container.networks().keySet()) + "); using another");
            }
        }
        String mode = container.networkMode();
        if (mode.equals("host")) {
            return hostAddress;
        }
        if (mode.startsWith("container:") && depth < 5) {
            ContainerInfo target = byIdOrName.get(mode.substring("container:".length()));
            if (target == null) {
                return null;
            }
            return address(target, network, byIdOrName, gatewayNetworks, hostAddress, warnings, depth + 1);
        }
        for (Map.Entry<String, String> n : container.networks().entrySet()) {
            if (gatewayNetworks.contains(n.getKey()) && n.getValue() != null && !n.getValue().isEmpty()) {
                return n.getValue();
            }
        }
        for (String ip : container.networks().values()) {
            if (ip != null && !ip.isEmpty()) {
                return ip;
            }
        }
        return null;
    }
}
