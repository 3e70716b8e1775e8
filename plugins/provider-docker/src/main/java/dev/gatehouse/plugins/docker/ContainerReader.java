package dev.gatehouse.plugins.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the running containers from the engine, inspecting only those not seen since their last event: one list
 * call per change, and an inspect per container that changed, so a busy engine with hundreds of containers is
 * cheap to follow.
 */
final class ContainerReader {

    private final Map<String, ContainerInfo> cache = new LinkedHashMap<>();
    private final Set<String> stale = new HashSet<>();
    private boolean allStale;

    /** The container changed (an event named it): inspect it again at the next read. */
    synchronized void invalidate(String id) {
        if (id == null) {
            allStale = true;
        } else {
            stale.add(id);
        }
    }

    /** Forget everything: after a reconnection, events may have been missed. */
    synchronized void reset() {
        allStale = true;
    }

    List<ContainerInfo> read(DockerClient client) {
        Set<String> changed;
        synchronized (this) {
            if (allStale) {
                cache.clear();
                allStale = false;
            }
            changed = new HashSet<>(stale);
            stale.clear();
        }
        List<Container> listed = client.listContainersCmd().withShowAll(false).exec();
        Map<String, ContainerInfo> next = new LinkedHashMap<>();
        for (Container container : listed) {
            String id = container.getId();
            ContainerInfo known = cache.get(id);
            if (known == null || changed.contains(id)) {
                try {
                    known = toInfo(client.inspectContainerCmd(id).exec());
                } catch (NotFoundException e) {
                    continue;   // gone between the list and the inspect; its destroy event follows
                }
            }
            next.put(id, known);
        }
        cache.clear();
        cache.putAll(next);
        return new ArrayList<>(next.values());
    }

    static ContainerInfo toInfo(InspectContainerResponse r) {
        String name = r.getName() == null ? r.getId() : r.getName();
        if (name.startsWith("/")) {
            name = name.substring(1);
        }
        Map<String, String> labels = r.getConfig() == null || r.getConfig().getLabels() == null
                ? Map.of() : Map.copyOf(r.getConfig().getLabels());
        InspectContainerResponse.ContainerState state = r.getState();
        boolean running = state != null && Boolean.TRUE.equals(state.getRunning());
        boolean paused = state != null && Boolean.TRUE.equals(state.getPaused());
        String health = state == null || state.getHealth() == null ? null : state.getHealth().getStatus();
        String networkMode = r.getHostConfig() == null ? "" : r.getHostConfig().getNetworkMode();
        Map<String, String> networks = new LinkedHashMap<>();
        List<ContainerInfo.PortInfo> ports = new ArrayList<>();
        if (r.getNetworkSettings() != null) {
            Map<String, ContainerNetwork> nets = r.getNetworkSettings().getNetworks();
            if (nets != null) {
                nets.forEach((netName, net) -> {
                    String ip = net.getIpAddress();
                    if (ip == null || ip.isEmpty()) {
                        ip = net.getGlobalIPv6Address();
                    }
                    networks.put(netName, ip == null ? "" : ip);
                });
            }
            Ports published = r.getNetworkSettings().getPorts();
            if (published != null && published.getBindings() != null) {
                for (Map.Entry<ExposedPort, Ports.Binding[]> e : published.getBindings().entrySet()) {
                    List<ContainerInfo.Binding> bindings = new ArrayList<>();
                    if (e.getValue() != null) {
                        for (Ports.Binding b : e.getValue()) {
                            bindings.add(new ContainerInfo.Binding(b.getHostIp(), b.getHostPortSpec()));
                        }
                    }
                    ports.add(new ContainerInfo.PortInfo(e.getKey().getPort(),
                            String.valueOf(e.getKey().getProtocol()).toLowerCase(java.util.Locale.ROOT), bindings));
                }
            }
        }
        return new ContainerInfo(r.getId(), name, labels, running, paused, health, networkMode, networks, ports);
    }
}
