package dev.gatehouse.plugins.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import com.github.dockerjava.api.model.Version;
import dev.gatehouse.api.ConfigurationSnapshot;
import dev.gatehouse.api.Provider;
import dev.gatehouse.api.ProviderContext;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider's own thread: connects to the engine, subscribes to its events, reads the running containers and
 * publishes the whole snapshot; then republishes after every event that may change it. When the engine goes away
 * (restart, socket removed, stream cut) the last snapshot stays in force, the thread retries with exponential
 * backoff (0.25 s doubling up to {@link #MAX_BACKOFF}) and, once connected again, reads everything afresh. Each
 * change of state is logged once, not each attempt.
 */
final class DockerWatcher implements Provider.Running {

    private static final Logger LOG = LoggerFactory.getLogger(DockerWatcher.class);
    static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** Container actions after which the snapshot may differ (health_status comes as "health_status: healthy"). */
    private static final Set<String> ACTIONS = Set.of("start", "die", "stop", "kill", "pause", "unpause", "rename",
            "destroy", "restart", "update", "connect", "disconnect");

    private final EngineClients clients;
    private final ConfigBuilder builder;
    private final ProviderContext context;
    private final boolean watch;
    private final ContainerReader reader = new ContainerReader();
    private final Thread thread;
    private final Object signal = new Object();
    private boolean dirty;
    private boolean streamEnded;
    private Throwable streamFailure;
    private volatile boolean closed;
    private volatile Closeable stream;
    private ConfigurationSnapshot last;
    private State state = State.STARTING;

    private enum State { STARTING, CONNECTED, DISCONNECTED }

    DockerWatcher(EngineClients clients, ConfigBuilder builder, ProviderContext context, boolean watch) {
        this.clients = clients;
        this.builder = builder;
        this.context = context;
        this.watch = watch;
        this.thread = new Thread(this::run, "gatehouse-provider-docker");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        Duration backoff = FIRST_BACKOFF;
        while (!closed) {
            try (DockerClient requests = clients.requests(); DockerClient events = watch ? clients.events() : null) {
                Version version = requests.versionCmd().exec();
                if (events != null) {
                    subscribe(events);
                }
                reader.reset();
                Sync sync = sync(requests, gatewayNetworks(requests), hostAddress());
                if (state == State.DISCONNECTED) {
                    LOG.info("Docker engine at {} is reachable again (Docker {}): resynchronised, {}",
                            clients.endpoint(), version.getVersion(), sync);
                } else {
                    LOG.info("Connected to the Docker engine at {} (Docker {}, API {}): {}{}",
                            clients.endpoint(), version.getVersion(), version.getApiVersion(), sync,
                            watch ? "; following its events" : "");
                }
                state = State.CONNECTED;
                backoff = FIRST_BACKOFF;
                if (!watch) {
                    return;
                }
                follow(requests);
            } catch (Exception | LinkageError e) {
                if (closed) {
                    break;
                }
                if (state != State.DISCONNECTED) {
                    String problem = "Docker engine at " + clients.endpoint() + " is unreachable: " + clients.explain(e);
                    LOG.warn("{}; keeping the last configuration, retrying with backoff up to {} s", problem,
                            MAX_BACKOFF.toSeconds());
                    state = State.DISCONNECTED;
                    context.reportUnavailable(problem);
                }
                LOG.debug("Docker provider error", e);
                closeStream();
                sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    /** Waits for events and republishes; returns by an exception when the stream ends. */
    private void follow(DockerClient requests) throws Exception {
        Set<String> gatewayNetworks = gatewayNetworks(requests);
        String hostAddress = hostAddress();
        while (!closed) {
            synchronized (signal) {
                while (!dirty && !streamEnded && !closed) {
                    signal.wait(1000);
                }
                if (closed) {
                    return;
                }
                if (streamEnded) {
                    throw new IOException("the engine ended the event stream", streamFailure);
                }
                dirty = false;
            }
            Sync sync = sync(requests, gatewayNetworks, hostAddress);
            LOG.debug("Docker provider resynchronised after an event: {}", sync);
        }
    }

    /** What one synchronisation did, for the log: how many containers, and the time spent reading and building. */
    private record Sync(int containers, long readMillis, long buildMillis) {
        @Override
        public String toString() {
            return containers + " running container(s), read in " + readMillis + " ms, configuration built in "
                    + buildMillis + " ms";
        }
    }

    private Sync sync(DockerClient requests, Set<String> gatewayNetworks, String hostAddress) throws InterruptedException {
        long started = System.nanoTime();
        List<ContainerInfo> containers = reader.read(requests);
        long read = System.nanoTime();
        ConfigurationSnapshot snapshot = builder.build(containers, gatewayNetworks, hostAddress);
        Sync sync = new Sync(containers.size(), (read - started) / 1_000_000, (System.nanoTime() - read) / 1_000_000);
        publish(snapshot);
        return sync;
    }

    /**
     * Publishes a snapshot that differs from the last one; and the first one read after the engine was unreachable
     * even when it does not, which tells the gateway that the engine is reachable again.
     */
    private synchronized void publish(ConfigurationSnapshot snapshot) {
        if (closed || (snapshot.equals(last) && state != State.DISCONNECTED)) {
            return;
        }
        last = snapshot;
        context.publish(snapshot);
    }

    private void subscribe(DockerClient events) throws InterruptedException, IOException {
        synchronized (signal) {
            streamEnded = false;
            streamFailure = null;
            dirty = false;
        }
        ResultCallback.Adapter<Event> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Event event) {
                String action = event.getAction() == null ? "" : event.getAction();
                if (event.getType() == EventType.NETWORK) {
                    if (action.equals("connect") || action.equals("disconnect")) {
                        String container = event.getActor() == null || event.getActor().getAttributes() == null
                                ? null : event.getActor().getAttributes().get("container");
                        reader.invalidate(container);
                        markDirty();
                    }
                    return;
                }
                if (ACTIONS.contains(action) || action.startsWith("health_status")) {
                    reader.invalidate(event.getId() != null ? event.getId()
                            : event.getActor() == null ? null : event.getActor().getId());
                    markDirty();
                }
            }

            @Override
            public void onError(Throwable throwable) {
                ended(throwable);
                // Not super.onError: docker-java would log every cut stream at ERROR with a stack trace, while the
                // watcher logs one warning per change of state. Closing is what super would do besides.
                try {
                    close();
                } catch (IOException | RuntimeException e) {
                    LOG.debug("closing the event stream", e);
                }
            }

            @Override
            public void onComplete() {
                ended(null);
                super.onComplete();
            }
        };
        events.eventsCmd().withEventTypeFilter(EventType.CONTAINER, EventType.NETWORK).exec(callback);
        stream = callback;
        if (!callback.awaitStarted(10, TimeUnit.SECONDS)) {
            throw new IOException("the event stream did not start within 10 s");
        }
    }

    private void markDirty() {
        synchronized (signal) {
            dirty = true;
            signal.notifyAll();
        }
    }

    private void ended(Throwable failure) {
        synchronized (signal) {
            streamEnded = true;
            streamFailure = failure;
            signal.notifyAll();
        }
    }

    /**
     * The networks of the gateway's own container, when it runs in one of this engine's containers (Docker names the
     * container's host after its id), so that a container on several networks is reached on a shared one.
     */
    private static Set<String> gatewayNetworks(DockerClient requests) {
        if (!Files.exists(Path.of("/.dockerenv"))) {
            return Set.of();
        }
        try {
            String self = InetAddress.getLocalHost().getHostName();
            ContainerInfo own = ContainerReader.toInfo(requests.inspectContainerCmd(self).exec());
            return new LinkedHashSet<>(own.networks().keySet());
        } catch (Exception e) {
            return Set.of();
        }
    }

    /** Traefik's address for {@code network_mode: host} containers. */
    private static String hostAddress() {
        for (String name : List.of("host.docker.internal", "host.containers.internal")) {
            try {
                return InetAddress.getByName(name).getHostAddress();
            } catch (UnknownHostException e) {
                // try the next one
            }
        }
        return "127.0.0.1";
    }

    private void sleep(Duration duration) {
        synchronized (signal) {
            long deadline = System.nanoTime() + duration.toNanos();
            long left;
            while (!closed && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(signal, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void closeStream() {
        Closeable s = stream;
        stream = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException | RuntimeException e) {
                LOG.debug("closing the event stream", e);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        synchronized (this) {
            // nothing is published after close() returns
        }
        synchronized (signal) {
            signal.notifyAll();
        }
        closeStream();
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(10));
    }
}
