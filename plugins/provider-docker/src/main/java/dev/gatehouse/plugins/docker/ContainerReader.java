package dev.gatehouse.plugins.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
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
 * Reads the running containers from the engine, inspecting only those not seen since their last event: one list
 * call per change, and an inspect per container that changed, so a busy engine with hundreds of containers is
 * cheap to follow.
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
        List<String> unknown = new ArrayList<>();
        for (Container container : listed) {
            if (!cache.containsKey(container.getId()) || changed.contains(container.getId())) {
                unknown.add(container.getId());
            }
        }
        Map<String, ContainerInfo> inspected = inspect(client, unknown);
        Map<String, ContainerInfo> next = new LinkedHashMap<>();
        for (Container container : listed) {
            String id = container.getId();
            ContainerInfo info = inspected.containsKey(id) ? inspected.get(id) : cache.get(id);
            if (info != null) {   // null: gone between the list and the inspect; its destroy event follows
                next.put(id, info);
            }
        }
        cache.clear();
        cache.putAll(next);
        return new ArrayList<>(next.values());
    }

    /**
     * Inspects {@code ids}: one by one for the few an event names, {@link #PARALLEL_INSPECTS} at a time for the
     * many of a first read or a resynchronisation, where one request after another made 500 containers take
     * seconds, mostly waiting for each answer in turn.
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
