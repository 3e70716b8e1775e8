package dev.gatehouse.plugins.docker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * {@code traefik.udp.routers.*} and {@code traefik.udp.services.*} of a container, completed as Traefik's Docker
 * provider completes them: a service's {@code loadbalancer.server.port} becomes the server
 * {@code <container address>:<port>} (the only exposed port when no label gives one), a container with UDP routers
 * and no UDP service gets one named after it, and a router without {@code service} takes the container's only UDP
 * service.
 */
final class UdpLabels {

    private UdpLabels() {
    }

    /** An address of the container for a port label (null: the exposed port), or why there is none. */
    record Address(String hostPort, String problem) {
    }

    /**
     * Completes {@code routers} and {@code services} (as the label parser gives them) in place; what cannot be
     * completed is left out with a message in {@code errors}.
     *
     * @param serving whether the container runs (and is healthy): a service of one that does not has no server
     */
    static void complete(Map<String, Map<String, Object>> routers, Map<String, Map<String, Object>> services,
            String containerService, boolean serving, Function<String, Address> address, List<String> errors) {
        if (routers.isEmpty() && services.isEmpty()) {
            return;
        }
        if (services.isEmpty()) {
            services.put(containerService, new TreeMap<>(String.CASE_INSENSITIVE_ORDER));
        }
        for (String name : new ArrayList<>(services.keySet())) {
            String problem = server(services.get(name), serving, address);
            if (problem != null) {
                errors.add("UDP service '" + name + "': " + problem + "; the service is left out");
                services.remove(name);
            }
        }
        for (String name : new ArrayList<>(routers.keySet())) {
            Map<String, Object> router = routers.get(name);
            if (router.containsKey("service")) {
                continue;
            }
            if (services.size() != 1) {
                errors.add("UDP router '" + name + "': no service label and " + services.size() + " UDP services ("
                        + String.join(", ", services.keySet()) + "); the router is left out");
                routers.remove(name);
                continue;
            }
            router.put("service", services.keySet().iterator().next());
        }
    }

    @SuppressWarnings("unchecked")
    private static String server(Map<String, Object> service, boolean serving, Function<String, Address> address) {
        for (String key : service.keySet()) {
            if (!key.equalsIgnoreCase("loadbalancer")) {
                return "'" + key + "' is not a UDP service type that Docker labels can define (use loadbalancer)";
            }
        }
        Object lbObject = service.computeIfAbsent("loadbalancer", k -> new TreeMap<>(String.CASE_INSENSITIVE_ORDER));
        if (!(lbObject instanceof Map<?, ?>)) {
            return "loadbalancer must have options (loadbalancer.server.port)";
        }
        Map<String, Object> lb = (Map<String, Object>) lbObject;
        Object serverObject = lb.remove("server");
        for (String key : lb.keySet()) {
            return "unknown option loadbalancer." + key + " (known: server.port)";
        }
        Map<String, Object> server = serverObject instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        if (serverObject != null && !(serverObject instanceof Map<?, ?>)) {
            return "label loadbalancer.server must have options (port)";
        }
        for (String key : server.keySet()) {
            if (!key.equalsIgnoreCase("port")) {
                return "unknown option loadbalancer.server." + key + " (known: port)";
            }
        }
        List<Object> servers = new ArrayList<>();
        if (serving) {
            Address chosen = address.apply(server.containsKey("port") ? String.valueOf(server.get("port")).strip() : null);
            if (chosen.problem() != null) {
                return chosen.problem();
            }
            servers.add(Map.of("address", chosen.hostPort()));
        }
        lb.put("servers", servers);
        return null;
    }
}
