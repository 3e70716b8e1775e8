package dev.gatehouse.core.udp;

import dev.gatehouse.api.FailureReasons;
import dev.gatehouse.core.udp.UdpTarget.UdpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One UDP entry point: a datagram socket, and a session per client address, each with its own socket connected to
 * the server that the entry point's router chose for it. What the server sends back on that socket goes to the
 * client from the entry point's address; a session without a datagram either way for {@code udp.timeout} is
 * closed, as in Traefik.
 *
 * <p>One thread serves the entry point and all its sessions, with non-blocking sockets: nothing a client or
 * server does can block another session. No datagram is queued in the gateway: each is written at once to the
 * socket it goes out on, and dropped (and counted) when that socket's buffer in the system is full, as a router
 * drops what it cannot forward. The number of sessions is capped ({@code maxSessions}): a datagram from a new
 * client beyond it is dropped and counted, so a flood of client addresses holds at most that many sockets.
 */
final class UdpEntryPoint {

    private static final Logger LOG = LoggerFactory.getLogger(UdpEntryPoint.class);
    /** The largest UDP payload: a datagram is never cut. */
    private static final int MAX_DATAGRAM = 65_535;
    /** Datagrams read from one socket before the others get a turn. */
    private static final int BURST = 64;

    private final UdpEntryPointSpec spec;
    private final int maxSessions;
    private final long idleNanos;
    private final long sweepMillis;
    private final Selector selector;
    private final DatagramChannel listener;
    private final int localPort;
    /** This host's addresses, read once: looking them up per datagram would list the interfaces each time. */
    private final java.util.Set<InetAddress> ownAddresses;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Read and changed on the entry point's thread only. */
    private final Map<SocketAddress, Session> sessions = new HashMap<>();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    private volatile UdpRouting.Route route;
    private volatile boolean running = true;
    // Written by the entry point's thread only, read by the API's.
    private volatile int openSessions;
    private volatile long sessionsOpened;
    private volatile long sessionsRefused;
    private volatile long datagramsDropped;
    /** Sessions that could not be opened (no socket to be had): counted to log them sparingly. */
    private long sessionFailures;

    /** One client's session: its socket to the server chosen for it. */
    private static final class Session {
        final SocketAddress client;
        final String server;
        final DatagramChannel channel;
        long lastActive;

        Session(SocketAddress client, String server, DatagramChannel channel, long now) {
            this.client = client;
            this.server = server;
            this.channel = channel;
            this.lastActive = now;
        }
    }

    /** Opens the socket; the entry point serves once {@link #start()} is called. */
    UdpEntryPoint(UdpEntryPointSpec spec) throws IOException {
        this.spec = spec;
        this.maxSessions = spec.maxSessions();
        this.idleNanos = spec.idleTimeout().toNanos();
        // As Traefik's: the idle sessions are looked for ten times per timeout.
        this.sweepMillis = Math.max(10, Math.min(1000, spec.idleTimeout().toMillis() / 10));
        selector = Selector.open();
        DatagramChannel channel = DatagramChannel.open();
        try {
            if (spec.reusePort() && channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            channel.bind(spec.host() == null ? new InetSocketAddress(spec.port())
                    : new InetSocketAddress(spec.host(), spec.port()));
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
        } catch (IOException | RuntimeException e) {
            channel.close();
            selector.close();
            throw e;
        }
        listener = channel;
        localPort = ((InetSocketAddress) channel.getLocalAddress()).getPort();
        ownAddresses = hostAddresses();
        thread = new Thread(this::run, "gatehouse-udp-" + spec.name());
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** The port it listens on (the one the system chose for port 0). */
    int port() {
        return localPort;
    }

    UdpEntryPointSpec spec() {
        return spec;
    }

    /**
     * New sessions take {@code next} (null: none is opened, no router serves the entry point). A session whose
     * server {@code next} can still choose goes on; the others are closed.
     */
    void route(UdpRouting.Route next) {
        route = next;
        tasks.add(() -> closeWhere(session -> next == null || !next.addresses().contains(session.server)));
        selector.wakeup();
    }

    /** Closes the socket and every session; returns once the entry point's thread has ended (within 5 s). */
    void stop() {
        running = false;
        if (!thread.isAlive()) {
            // Never started (another entry point failed to open): nothing else will close the socket.
            closeQuietly(listener);
            closeQuietly(selector);
            return;
        }
        selector.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What the API shows of it now. */
    Stats stats() {
        return new Stats(openSessions, sessionsOpened, sessionsRefused, datagramsDropped);
    }

    /**
     * @param sessions open now
     * @param opened since the start
     * @param refused new clients whose datagram was dropped because {@code maxSessions} were open
     * @param dropped datagrams dropped: no router, no server, a full socket buffer, or a refused session
     */
    record Stats(int sessions, long opened, long refused, long dropped) {
    }

    private void run() {
        long nextSweep = System.nanoTime();
        long failures = 0;
        try {
            while (running) {
                try {
                    serveReady();
                } catch (ClosedChannelException | ClosedSelectorException closed) {
                    break;
                } catch (IOException | RuntimeException e) {
                    // Unexpected (the system refused a receive): the entry point goes on; logged at 1, 2, 4... times.
                    failures++;
                    if (Long.bitCount(failures) == 1) {
                        LOG.error("UDP entry point {}: {} ({} time(s) so far); it goes on serving", spec.name(),
                                FailureReasons.of(e), failures);
                        LOG.debug("UDP entry point {} failure", spec.name(), e);
                    }
                    pauseAfterFailure();
                }
                long now = System.nanoTime();
                if (now - nextSweep >= 0) {
                    closeWhere(session -> now - session.lastActive >= idleNanos);
                    nextSweep = now + TimeUnit.MILLISECONDS.toNanos(sweepMillis);
                }
            }
        } finally {
            closeWhere(session -> true);
            closeQuietly(listener);
            closeQuietly(selector);
        }
    }

    /** Waits for datagrams (at most until the next idle sweep is due), then serves every socket that has some. */
    private void serveReady() throws IOException {
        selector.select(sweepMillis);
        for (Runnable task; (task = tasks.poll()) != null;) {
            task.run();
        }
        Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
        while (ready.hasNext()) {
            SelectionKey key = ready.next();
            ready.remove();
            if (!key.isValid()) {
                continue;
            }
            if (key.attachment() instanceof Session session) {
                fromServer(session);
            } else {
                fromClients();
            }
        }
    }

    /** A failure that repeats at once must not spin a core: 10 ms between tries. */
    private static void pauseAfterFailure() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void fromClients() throws IOException {
        for (int i = 0; i < BURST; i++) {
            buffer.clear();
            SocketAddress client = listener.receive(buffer);
            if (client == null) {
                return;
            }
            buffer.flip();
            Session session = sessions.get(client);
            if (session == null) {
                session = open(client);
                if (session == null) {
                    datagramsDropped++;
                    continue;
                }
            }
            try {
                if (session.channel.write(buffer) == 0) {
                    datagramsDropped++;
                }
                session.lastActive = System.nanoTime();
            } catch (IOException e) {
                // The server refused an earlier datagram (ICMP port unreachable) or the route is gone: the session
                // ends, and the client's next datagram opens a new one, on the next server.
                // The exception itself, not its text: nothing is built per datagram unless DEBUG is on.
                LOG.debug("UDP entry point {}: session of {} to {} ends", spec.name(), client, session.server, e);
                datagramsDropped++;
                close(session);
            }
        }
    }

    private void fromServer(Session session) {
        try {
            for (int i = 0; i < BURST; i++) {
                buffer.clear();
                if (session.channel.read(buffer) <= 0) {
                    return;
                }
                buffer.flip();
                if (listener.send(buffer, session.client) == 0) {
                    datagramsDropped++;
                }
                session.lastActive = System.nanoTime();
            }
        } catch (IOException e) {
            LOG.debug("UDP entry point {}: session of {} to {} ends", spec.name(), session.client, session.server, e);
            close(session);
        }
    }

    /** A new session for {@code client}, or null when none can be opened (the datagram is dropped). */
    private Session open(SocketAddress client) {
        UdpRouting.Route current = route;
        if (current == null) {
            return null;
        }
        // The cap first: under a flood of new clients, the cheapest refusal.
        if (sessions.size() >= maxSessions) {
            sessionsRefused++;
            if (Long.bitCount(sessionsRefused) == 1) {
                // Logged at 1, 2, 4, 8... refusals: a flood cannot flood the log.
                LOG.warn("UDP entry point {} has {} sessions open (its maxSessions): a new client's datagram is "
                        + "dropped ({} so far)", spec.name(), maxSessions, sessionsRefused);
            }
            return null;
        }
        if (isOwnAddress(client)) {
            // A datagram that claims to come from this very socket (a spoofed source): its session's answers would
            // come back to the entry point as new questions, round and round.
            return null;
        }
        UdpServer server = current.target().pick();
        if (server == null) {
            return null;
        }
        DatagramChannel channel = null;
        try {
            channel = DatagramChannel.open();
            channel.configureBlocking(false);
            channel.connect(server.resolved());
            Session session = new Session(client, server.address(), channel, System.nanoTime());
            channel.register(selector, SelectionKey.OP_READ, session);
            sessions.put(client, session);
            openSessions = sessions.size();
            sessionsOpened++;
            return session;
        } catch (IOException e) {
            sessionFailures++;
            if (Long.bitCount(sessionFailures) == 1) {
                // At 1, 2, 4, 8... failures: out of file descriptors under a flood, this would log every datagram.
                LOG.warn("UDP entry point {}: cannot open a session to {}: {} ({} failure(s) so far)", spec.name(),
                        server.address(), FailureReasons.of(e), sessionFailures);
            }
            closeQuietly(channel);
            return null;
        }
    }

    /** Whether {@code client} is this entry point's own socket: its port, on an address of this host. */
    boolean isOwnAddress(SocketAddress client) {
        if (!(client instanceof InetSocketAddress address) || address.getPort() != port()) {
            return false;
        }
        InetAddress ip = address.getAddress();
        return ip == null || ip.isLoopbackAddress() || ip.isAnyLocalAddress() || ownAddresses.contains(ip);
    }

    /** The addresses of this host's network interfaces now (empty when they cannot be listed). */
    private static java.util.Set<InetAddress> hostAddresses() {
        java.util.Set<InetAddress> addresses = new java.util.HashSet<>();
        try {
            for (NetworkInterface nic : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
                addresses.addAll(java.util.Collections.list(nic.getInetAddresses()));
            }
        } catch (IOException e) {
            LOG.debug("cannot list the network interfaces", e);
        }
        return java.util.Set.copyOf(addresses);
    }

    private void closeWhere(java.util.function.Predicate<Session> condition) {
        List<Session> closing = new ArrayList<>();
        for (Session session : sessions.values()) {
            if (condition.test(session)) {
                closing.add(session);
            }
        }
        closing.forEach(this::close);
    }

    private void close(Session session) {
        if (sessions.remove(session.client, session)) {
            closeQuietly(session.channel);
            openSessions = sessions.size();
        }
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (IOException e) {
            // nothing left to do with it
        }
    }
}
