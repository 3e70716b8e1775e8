package dev.gatehouse.plugins.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ContainerPort;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Reads the running containers from the engine: one list call per change, and an inspect only for the containers
 * an event named and for new ones with a health check (whose state the list gives only as text). Other new ones
 * are taken from their list entry, which has everything else the provider needs. So a busy engine with hundreds of
 * containers is cheap to follow, and to read again after a reconnection.
 */
final class ContainerReader {

    /**
     * Concurrent inspections on a full read. A few suffice: the engine answers each from memory, so more only
     * queue in it, and the engine and the gateway often share a small machine.
     */
    static final int PARALLEL_INSPECTS = 4;

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

    List<ContainerInfo> read(DockerClient client) throws InterruptedException {
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
        // Inspected: containers an event named, since the engine updates what it lists only after sending some
        // events (an unpause is still listed as paused for a moment), and containers with a health check not seen
        // yet. The others come from the cache, or from the list when not seen yet (first read, resynchronisation).
        List<String> toInspect = new ArrayList<>();
        for (Container container : listed) {
            String id = container.getId();
            if (changed.contains(id) || (!cache.containsKey(id) && hasHealthCheck(container))) {
                toInspect.add(id);
            }
        }
        Map<String, ContainerInfo> inspected = inspect(client, toInspect);
        Map<String, ContainerInfo> next = new LinkedHashMap<>();
        for (Container container : listed) {
            String id = container.getId();
            ContainerInfo info = inspected.containsKey(id) ? inspected.get(id)
                    : cache.containsKey(id) ? cache.get(id) : fromList(container);
            if (info != null) {   // null: gone between the list and the inspect; its destroy event follows
                next.put(id, info);
            }
        }
        cache.clear();
        cache.putAll(next);
        return new ArrayList<>(next.values());
    }

    /**
     * Whether the engine runs a health check for the container: the list shows its state only in the status text
     * ({@code Up 2 minutes (healthy)}, {@code (health: starting)}, {@code (unhealthy)}), so such containers are
     * inspected for the state itself.
     */
    private static boolean hasHealthCheck(Container container) {
        String status = container.getStatus();
        return status != null && (status.contains("(health") || status.contains("(unhealthy)"));
    }

    /**
     * A container from the list's entry, which has everything the provider uses but the health state. One list call
     * instead of an inspect per container: 541 containers took 1.9 s to inspect (four at a time) on a busy 2-core
     * machine (bench/docker.sh), much of it the gateway decoding 541 inspect answers.
     */
    static ContainerInfo fromList(Container c) {
        String name = c.getId();
        if (c.getNames() != null) {
            for (String n : c.getNames()) {
                // Linked containers also list names as "/other/alias": the container's own has one slash.
                if (n != null && n.lastIndexOf('/') == 0) {
                    name = n.substring(1);
                    break;
                }
            }
        }
        String state = c.getState() == null ? "" : c.getState();
        // As the inspect answer's State.Running: true for paused and restarting containers too.
        boolean running = state.equals("running") || state.equals("paused") || state.equals("restarting");
        String networkMode = c.getHostConfig() == null ? "" : c.getHostConfig().getNetworkMode();
        Map<String, String> networks = new LinkedHashMap<>();
        if (c.getNetworkSettings() != null && c.getNetworkSettings().getNetworks() != null) {
            c.getNetworkSettings().getNetworks().forEach((netName, net) -> networks.put(netName, address(net)));
        }
        // The list has one entry per published address of a port, and one without a public port for a port
        // exposed but not published.
        Map<String, List<ContainerInfo.Binding>> bindings = new LinkedHashMap<>();
        if (c.getPorts() != null) {
            for (ContainerPort port : c.getPorts()) {
                if (port.getPrivatePort() == null) {
                    continue;
                }
                String protocol = port.getType() == null ? "tcp" : port.getType().toLowerCase(java.util.Locale.ROOT);
                List<ContainerInfo.Binding> published = bindings.computeIfAbsent(port.getPrivatePort() + "/" + protocol,
                        k -> new ArrayList<>());
                if (port.getPublicPort() != null) {
                    published.add(new ContainerInfo.Binding(port.getIp(), String.valueOf(port.getPublicPort())));
                }
            }
        }
        List<ContainerInfo.PortInfo> ports = new ArrayList<>();
        bindings.forEach((key, published) -> ports.add(new ContainerInfo.PortInfo(
                Integer.parseInt(key.substring(0, key.indexOf('/'))), key.substring(key.indexOf('/') + 1), published)));
        Map<String, String> labels = c.getLabels() == null ? Map.of() : Map.copyOf(c.getLabels());
        return new ContainerInfo(c.getId(), name, labels, running, state.equals("paused"), null, networkMode, networks,
                ports);
    }

    private static String address(ContainerNetwork net) {
        String ip = net.getIpAddress();
        if (ip == null || ip.isEmpty()) {
            ip = net.getGlobalIPv6Address();
        }
        return ip == null ? "" : ip;
    }

    /**
     * Inspects {@code ids}: one by one for the few an event names, {@link #PARALLEL_INSPECTS} at a time for the
     * many of a first read or a resynchronisation, where one request after another took 5.5 s for 541 containers
     * on a busy 2-core machine (bench/docker.sh; docs/performance.md).
     */
    private static Map<String, ContainerInfo> inspect(DockerClient client, List<String> ids) throws InterruptedException {
        Map<String, ContainerInfo> out = new HashMap<>();
        if (ids.size() < 2 * PARALLEL_INSPECTS) {
            for (String id : ids) {
                out.put(id, inspectOne(client, id));
            }
            return out;
        }
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_INSPECTS, r -> {
            Thread t = new Thread(r, "gatehouse-provider-docker-inspect");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<ContainerInfo>> results = new ArrayList<>();
            for (String id : ids) {
                results.add(pool.submit(() -> inspectOne(client, id)));
            }
            for (int i = 0; i < ids.size(); i++) {
                out.put(ids.get(i), results.get(i).get());
            }
            return out;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
        } finally {
            pool.shutdownNow();
        }
    }

    /** The container, or null when it is gone. */
    private static ContainerInfo inspectOne(DockerClient client, String id) {
        try {
            return toInfo(client.inspectContainerCmd(id).exec());
        } catch (NotFoundException e) {
            return null;
        }
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
                nets.forEach((netName, net) -> networks.put(netName, address(net)));
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
