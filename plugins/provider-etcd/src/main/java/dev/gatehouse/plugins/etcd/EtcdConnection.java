package dev.gatehouse.plugins.etcd;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.api.GatewayEnvironment;
import dev.gatehouse.plugins.kv.ClientTls;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;

/**
 * One jetcd client built from {@link EtcdClientOptions}, for whatever reads etcd (the provider, a certificate
 * storage). Building it checks the options and reads the TLS material, so a bad option fails at start with a message
 * naming it; it does not connect: jetcd connects on the first call and reconnects by itself.
 *
 * <pre>{@code
 * try (EtcdConnection etcd = EtcdConnection.open(config.clientOptions(), environment)) {
 *     GetResponse response = etcd.client().getKVClient().get(key).get();
 * }
 * }</pre>
 */
public final class EtcdConnection implements AutoCloseable {

    /** How long a connection attempt may take, as Traefik's etcd provider ({@code ConnectionTimeout: 3s}). */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);

    /**
     * The largest response read: 16 MiB, so one read never holds more than that in memory at once. A read of many
     * keys is split into pages below it ({@link EtcdKeyValueStore}); etcd itself refuses writes over 1.5 MiB unless
     * its {@code --max-request-bytes} is raised.
     */
    static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    /** How long the last connection's close waits for the client's threads to end. */
    static final Duration THREADS_END_WAIT = Duration.ofSeconds(5);

    /** Connections open in this plugin: the last one to close waits for the client's threads (see close()). */
    private static final AtomicInteger OPEN = new AtomicInteger();

    private final Client client;
    private final String endpoints;

    private EtcdConnection(Client client, String endpoints) {
        this.client = client;
        this.endpoints = endpoints;
        OPEN.incrementAndGet();
    }

    /**
     * Builds the client.
     *
     * @throws IllegalArgumentException when an option cannot work (a malformed endpoint, unreadable TLS files), with
     *     a message naming the option
     */
    public static EtcdConnection open(EtcdClientOptions options, GatewayEnvironment environment) {
        requireNonNull(options, "options");
        requireNonNull(environment, "environment");
        String prefix = options.optionPrefix();
        if (options.endpoints().isEmpty()) {
            throw new IllegalArgumentException(prefix + ".endpoints: no endpoint (expected host:port, e.g. 127.0.0.1:2379)");
        }
        if ((options.username() == null) != (options.password() == null)) {
            throw new IllegalArgumentException(prefix + ": set both username and password, or neither");
        }
        String scheme = options.tls() == null ? "http" : "https";
        List<String> urls = new ArrayList<>();
        for (String endpoint : options.endpoints()) {
            urls.add(url(endpoint, scheme, prefix));
        }
        ClientBuilder builder = Client.builder()
                .endpoints(urls.toArray(String[]::new))
                .connectTimeout(CONNECT_TIMEOUT)
                // A read returns up to thousands of keys; gRPC's default limit (4 MB) is too tight for large values.
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                // Keep-alive pings find a dead connection within seconds even when nothing is being read, so a
                // watch learns of an outage without waiting for the operating system's TCP timeout.
                .keepaliveTime(Duration.ofSeconds(5))
                .keepaliveTimeout(Duration.ofSeconds(3))
                .keepaliveWithoutCalls(true)
                // Bounded retries of single calls: the caller decides how to go on (the provider keeps its last
                // configuration and tries again later).
                .retryMaxDuration(Duration.ofSeconds(5))
                .retryMaxDelay(1000)
                .retryMaxAttempts(3);
        if (options.username() != null) {
            builder.user(bytes(options.username())).password(bytes(options.password()));
        }
        if (options.tls() != null) {
            configureTls(builder, options.tls(), environment, prefix);
        }
        return new EtcdConnection(builder.build(), String.join(",", urls));
    }

    /** The client: KV, watch, lease and lock services of the same connection. */
    public Client client() {
        return client;
    }

    /** The endpoints as URLs, for messages ({@code http://127.0.0.1:2379}). */
    public String endpoints() {
        return endpoints;
    }

    /** A key or value as etcd takes it: UTF-8 bytes. */
    public static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    /**
     * Why a call to etcd failed, in a user's words and without exception class names: for the log and for
     * {@code /api/providers}.
     */
    public String describeFailure(Throwable failure) {
        Throwable root = failure;
        String authentication = null;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            root = t;
            String message = String.valueOf(t.getMessage());
            String lower = message.toLowerCase(Locale.ROOT);
            if (lower.contains("authentication failed") || lower.contains("invalid auth token")
                    || lower.contains("user name not found") || lower.contains("permission denied")) {
                authentication = message.replaceFirst("^[A-Z_]+: ", "");
            }
            if (t instanceof SSLException) {
                return "cannot reach etcd at " + endpoints + ": TLS handshake failed (" + message + "); check the tls options";
            }
            if (t instanceof ConnectException || t instanceof UnknownHostException) {
                return "cannot reach etcd at " + endpoints + ": " + message;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        if (authentication != null) {
            return "etcd at " + endpoints + " refused the credentials: " + authentication + "; check username and password";
        }
        String message = String.valueOf(root.getMessage());
        if (message.startsWith("UNAVAILABLE") || message.startsWith("DEADLINE_EXCEEDED") || message.equals("null")) {
            return "cannot reach etcd at " + endpoints + " (no answer)";
        }
        return "etcd at " + endpoints + ": " + message.replaceFirst("^[A-Z_]+: ", "");
    }

    /**
     * Closes the client. jetcd closes its Vert.x instance and gRPC channel without waiting, so their event-loop
     * threads go on for a moment; when the gateway stops, the plugin's class loader closes meanwhile, and those
     * threads then fail to load classes and log NoClassDefFoundError at ERROR. So the last open connection's close
     * waits (at most {@link #THREADS_END_WAIT}) for every thread whose class this plugin loaded (Vert.x's and
     * Netty's) to end.
     */
    @Override
    public void close() {
        client.close();
        if (OPEN.decrementAndGet() == 0) {
            awaitPluginThreads(THREADS_END_WAIT);
        }
    }

    private static void awaitPluginThreads(Duration wait) {
        ClassLoader plugin = EtcdConnection.class.getClassLoader();
        long deadline = System.nanoTime() + wait.toNanos();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread == Thread.currentThread() || thread.getClass().getClassLoader() != plugin) {
                continue;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                thread.join(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String url(String endpoint, String scheme, String prefix) {
        String lower = endpoint.toLowerCase(Locale.ROOT);
        String url;
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            if (lower.startsWith("http://") && scheme.equals("https")) {
                throw new IllegalArgumentException(prefix + ".endpoints: '" + endpoint + "' is http:// but tls is set "
                        + "(write host:port or https://host:port)");
            }
            url = endpoint;
        } else if (endpoint.contains("://")) {
            throw new IllegalArgumentException(prefix + ".endpoints: '" + endpoint + "' is not host:port or an http(s) URL");
        } else {
            url = scheme + "://" + endpoint;
        }
        java.net.URI uri;
        try {
            uri = java.net.URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(prefix + ".endpoints: '" + endpoint + "' is not host:port", e);
        }
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw new IllegalArgumentException(prefix + ".endpoints: '" + endpoint + "' needs a host and a port (e.g. 127.0.0.1:2379)");
        }
        return url;
    }

    private static void configureTls(ClientBuilder builder, ClientTls tls, GatewayEnvironment environment, String prefix) {
        ClientTls.Material material = tls.load(environment, prefix);
        try {
            builder.sslContext(ssl -> {
                if (material.insecureSkipVerify()) {
                    ssl.trustManager(InsecureTrustManagerFactory.INSTANCE);
                } else if (material.caPem() != null) {
                    ssl.trustManager(new ByteArrayInputStream(material.caPem()));
                }
                if (material.keyManager() != null) {
                    ssl.keyManager(material.keyManager());
                }
            });
        } catch (SSLException | RuntimeException e) {
            throw new IllegalArgumentException(prefix + ".tls: " + e.getMessage(), e);
        }
    }
}
