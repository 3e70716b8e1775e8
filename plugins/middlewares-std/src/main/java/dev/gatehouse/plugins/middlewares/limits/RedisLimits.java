package dev.gatehouse.plugins.middlewares.limits;

import dev.gatehouse.api.FailureReasons;
import dev.gatehouse.api.GatewayEnvironment;
import dev.gatehouse.plugins.middlewares.internal.ClientTls;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis connections of the {@code rateLimit} middlewares: one client (one multiplexed connection; one per primary
 * of a Redis Cluster) per distinct {@code redis} setting, shared by every middleware, router and configuration that
 * uses the same setting, and closed when the last of them stops. A reload that keeps the setting keeps the connection (the new configuration's
 * limiters take their lease before the old ones give theirs back); one that changes it closes the old connection
 * once the old configuration retires. All clients share one small set of event-loop threads, stopped with the last
 * client.
 *
 * <p>When Redis cannot be asked (down, refusing the credentials) or does not answer within the timeouts, each
 * limiter decides with this instance's own in-memory buckets, and this class logs it at WARN, at most one line per
 * {@value #LOG_WINDOW_SECONDS} seconds per Redis, saying how many decisions were made that way; and at INFO once
 * Redis answers again.
 */
final class RedisLimits {

    private static final Logger LOG = LoggerFactory.getLogger(RateLimit.class);
    static final int LOG_WINDOW_SECONDS = 10;
    private static final Duration DEFAULT_DIAL_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration DEFAULT_IO_TIMEOUT = Duration.ofSeconds(3);

    /** The shared clients by setting; guarded by the class. */
    private static final Map<Settings, Shared> CLIENTS = new HashMap<>();
    /**
     * The TLS material last parsed for each set of TLS options, with the hash of the content it was parsed from; a few
     * dozen at most (the least recently used are dropped). Guarded by itself.
     */
    private static final Map<Settings.TlsFiles, Settings.ClientTlsHolder> PARSED_TLS =
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Settings.TlsFiles, Settings.ClientTlsHolder> eldest) {
                    return size() > 32;
                }
            };
    /** The event loops of every client; null while there is none. Guarded by the class. */
    private static ClientResources resources;

    static {
        // lettuce records JFR events through classes it looks up by name in the thread's context class loader: the
        // gateway's, which does not see this plugin's copy of lettuce (a different class, or none). Off, for this copy
        // only: the plugin jar relocates lettuce, and this property's name with it.
        if (System.getProperty("io.lettuce.core.jfr") == null) {
            System.setProperty("io.lettuce.core.jfr", "false");
        }
    }

    private RedisLimits() {
    }

    /**
     * A {@code redis} setting, checked and read (files included) when the middleware is created, that is each time a
     * configuration is applied. Equal settings share a client. The TLS material is part of the equality by its content
     * ({@link ClientTlsHolder}): a reload after a certificate, key or CA file was replaced makes a new client with the
     * new files (the old one closes when the old configuration retires), while a reload with the same files keeps the
     * connection.
     *
     * @param commandTimeout how long a command may take from being sent to its answer; null: no limit
     */
    record Settings(List<Endpoint> endpoints, String username, String password, int db, TlsFiles tlsFiles,
            Duration commandTimeout, Duration dialTimeout, ClientTlsHolder tls) {

        /** One {@code host:port}. */
        record Endpoint(String host, int port) {
            @Override
            public String toString() {
                return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
            }
        }

        /** Several endpoints: the nodes of a Redis Cluster, as Traefik (go-redis's universal client) takes them. */
        boolean cluster() {
            return endpoints.size() > 1;
        }

        /** The TLS options as given: what identifies the setting. */
        record TlsFiles(String ca, String cert, String key, boolean insecureSkipVerify) {
        }

        /**
         * The TLS material read, compared by the SHA-256 of what was read ({@code ca}, {@code cert}, {@code key}: the
         * files' bytes or the PEM text given), so that {@link Settings} with the same options and the same file
         * contents are equal, and a replaced file makes them differ.
         */
        record ClientTlsHolder(ClientTls value, String contentHash) {
            static final ClientTlsHolder NONE = new ClientTlsHolder(null, "");

            @Override
            public boolean equals(Object other) {
                return other instanceof ClientTlsHolder that && contentHash.equals(that.contentHash);
            }

            @Override
            public int hashCode() {
                return contentHash.hashCode();
            }
        }

        /** {@code host:port}, for messages. */
        String address() {
            return endpoints.stream().map(Endpoint::toString).collect(java.util.stream.Collectors.joining(", "));
        }

        static Settings of(RateLimit.Redis redis, GatewayEnvironment environment) throws GeneralSecurityException {
            List<String> endpoints = redis.endpoints() == null || redis.endpoints().isEmpty()
                    ? List.of("localhost:6379") : redis.endpoints();
            List<Endpoint> parsed = new ArrayList<>();
            for (int i = 0; i < endpoints.size(); i++) {
                parsed.add(endpoint(i, endpoints.get(i)));
            }
            int db = redis.db() == null ? 0 : redis.db();
            if (db < 0) {
                throw new IllegalArgumentException("'redis.db' must not be negative (0 is Redis's first database)");
            }
            if (db != 0 && parsed.size() > 1) {
                throw new IllegalArgumentException("'redis.db' must be 0 with several endpoints: they are the nodes of"
                        + " a Redis Cluster, which has database 0 only");
            }
            nonNegative("poolSize", redis.poolSize());
            nonNegative("minIdleConns", redis.minIdleConns());
            nonNegative("maxActiveConns", redis.maxActiveConns());
            Duration read = redis.readTimeout() == null ? DEFAULT_IO_TIMEOUT : redis.readTimeout();
            Duration write = redis.writeTimeout() == null ? DEFAULT_IO_TIMEOUT : redis.writeTimeout();
            // go-redis waits writeTimeout for the command to go out, then readTimeout for its answer; lettuce has one
            // timeout for both. Zero or negative is "no limit" for either, as in Traefik.
            Duration command = read.isNegative() || read.isZero() || write.isNegative() || write.isZero() ? null
                    : read.plus(write);
            Duration dial = redis.dialTimeout() == null || redis.dialTimeout().isNegative() || redis.dialTimeout().isZero()
                    ? DEFAULT_DIAL_TIMEOUT : redis.dialTimeout();
            TlsFiles tlsFiles = null;
            ClientTlsHolder tls = ClientTlsHolder.NONE;
            if (redis.tls() != null) {
                RateLimit.RedisTls given = redis.tls();
                tlsFiles = new TlsFiles(given.ca(), given.cert(), given.key(), Boolean.TRUE.equals(given.insecureSkipVerify()));
                tls = readTls(tlsFiles, environment);
            }
            return new Settings(List.copyOf(parsed), emptyToNull(redis.username()), emptyToNull(redis.password()), db,
                    tlsFiles, command, dial, tls);
        }

        /**
         * The TLS material of {@code files}: the files are read (and hashed) at each call, that is for each middleware a
         * configuration creates; the certificates and key are parsed only when that content was not parsed before, so
         * the middlewares of one configuration, and reloads with unchanged files, share one parsed copy.
         */
        private static ClientTlsHolder readTls(TlsFiles files, GatewayEnvironment environment)
                throws GeneralSecurityException {
            ClientTls.checkPair("redis.tls", files.cert(), files.key());   // before reading: the clearer error first
            MessageDigest digest;
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("this Java has no SHA-256", e);
            }
            for (String[] option : new String[][] {{"ca", files.ca()}, {"cert", files.cert()}, {"key", files.key()}}) {
                byte[] content = tlsContent(environment, option[0], option[1]);
                digest.update((option[0] + ":" + content.length + ":").getBytes(StandardCharsets.US_ASCII));
                digest.update(content);
            }
            digest.update((byte) (files.insecureSkipVerify() ? 1 : 0));
            String hash = HexFormat.of().formatHex(digest.digest());
            synchronized (PARSED_TLS) {
                ClientTlsHolder parsed = PARSED_TLS.get(files);
                if (parsed != null && parsed.contentHash().equals(hash)) {
                    return parsed;
                }
            }
            ClientTlsHolder parsed = new ClientTlsHolder(ClientTls.of(environment, "redis.tls", files.ca(), files.cert(),
                    files.key(), files.insecureSkipVerify()), hash);
            synchronized (PARSED_TLS) {
                PARSED_TLS.put(files, parsed);
            }
            return parsed;
        }

        /** The bytes of one TLS option: the PEM text given, or the file's; nothing when the option is not set. */
        private static byte[] tlsContent(GatewayEnvironment environment, String option, String value) {
            if (value == null || value.isBlank()) {
                return new byte[0];
            }
            if (value.contains("-----BEGIN")) {
                return value.getBytes(StandardCharsets.US_ASCII);
            }
            try {
                return Files.readAllBytes(environment.resolve(value.strip()));
            } catch (IOException e) {
                throw new IllegalArgumentException("'redis.tls." + option + "': " + FailureReasons.of(e));
            }
        }

        /** {@code host:port} or {@code [ipv6]:port}. */
        private static Endpoint endpoint(int index, String given) {
            String endpoint = given == null ? "" : given.strip();
            String host;
            String port;
            if (endpoint.startsWith("[") && endpoint.contains("]:")) {
                host = endpoint.substring(1, endpoint.indexOf("]:"));
                port = endpoint.substring(endpoint.indexOf("]:") + 2);
            } else if (endpoint.lastIndexOf(':') > 0 && endpoint.indexOf(':') == endpoint.lastIndexOf(':')) {
                host = endpoint.substring(0, endpoint.indexOf(':'));
                port = endpoint.substring(endpoint.indexOf(':') + 1);
            } else {
                host = "";
                port = "";
            }
            int portNumber;
            try {
                portNumber = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                portNumber = -1;
            }
            if (host.isEmpty() || portNumber < 1 || portNumber > 65535) {
                throw new IllegalArgumentException("'redis.endpoints[" + index + "]': '" + endpoint + "' is not host:port"
                        + " (such as redis.example.com:6379 or [::1]:6379)");
            }
            return new Endpoint(host, portNumber);
        }

        private static void nonNegative(String option, Integer value) {
            if (value != null && value < 0) {
                throw new IllegalArgumentException("'redis." + option + "' must not be negative");
            }
        }

        private static String emptyToNull(String value) {
            return value == null || value.isEmpty() ? null : value;
        }

        @Override
        public String toString() {   // never the password
            return "Redis at " + address();
        }
    }

    /**
     * A limiter's hold on the shared client of its setting, from its start to its stop; the client closes when the
     * last lease is given back.
     */
    static final class Lease implements AutoCloseable {
        private final Shared shared;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Lease(Shared shared) {
            this.shared = shared;
        }

        /**
         * Runs the script (by its SHA-1, loading it when Redis does not have it yet) on {@code key}; completes with its
         * answer, or exceptionally when Redis cannot be asked or does not answer within the timeouts.
         */
        CompletionStage<List<Object>> runScript(String script, String sha, String key, String[] arguments) {
            String[] keys = {key};
            CompletableFuture<StatefulConnection<String, String>> connecting = shared.connection();
            if (!connecting.isDone() && shared.lostBefore) {
                // Reconnecting after a failure: decided without Redis now rather than after the dial timeout, so a
                // Redis that drops packets does not add seconds to every request (the first connection is waited for).
                return CompletableFuture.failedFuture(new IllegalStateException("reconnecting"));
            }
            return connecting.thenCompose(connection -> {
                RedisScriptingAsyncCommands<String, String> commands = Shared.commands(connection);
                return commands.<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys, arguments)
                        .exceptionallyCompose(failure -> cause(failure) instanceof RedisNoScriptException
                                ? commands.<List<Object>>eval(script, ScriptOutputType.MULTI, keys, arguments)
                                : CompletableFuture.failedFuture(failure));
            }).whenComplete((answer, failure) -> {
                if (failure == null) {
                    shared.answered();
                }
            });
        }

        /** Counts and logs a decision made without Redis because of {@code failure}. */
        void failed(String middlewareName, Throwable failure) {
            shared.failed(middlewareName, failure);
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                release(shared);
            }
        }
    }

    /** Takes a lease on the client of {@code settings}, creating the client (and starting to connect) when needed. */
    static Lease acquire(Settings settings) {
        synchronized (RedisLimits.class) {
            Shared shared = CLIENTS.get(settings);
            if (shared == null) {
                if (resources == null) {
                    // Two event loops are plenty for rate-limit commands; lettuce's default is one per core, times two.
                    resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
                            // No per-command latency statistics (lettuce keeps them when it finds HdrHistogram).
                            .commandLatencyRecorder(CommandLatencyRecorder.disabled())
                            // Back within a second or two of Redis returning (lettuce's default waits up to 30 s).
                            .reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2,
                                    TimeUnit.MILLISECONDS))
                            .build();
                }
                shared = new Shared(settings, resources);
                CLIENTS.put(settings, shared);
                shared.connection();   // connect now rather than on the first request
            }
            shared.leases++;
            return new Lease(shared);
        }
    }

    private static void release(Shared shared) {
        ClientResources unused = null;
        synchronized (RedisLimits.class) {
            if (--shared.leases > 0) {
                return;
            }
            CLIENTS.remove(shared.settings);
            if (CLIENTS.values().stream().noneMatch(other -> other.resources == shared.resources)) {
                unused = shared.resources;
                if (resources == unused) {
                    resources = null;
                }
            }
        }
        ClientResources stopAfter = unused;
        // Off the stopping thread: closing waits for the connection and the event loops.
        shared.close().whenComplete((ignored, failure) -> {
            if (stopAfter != null) {
                stopAfter.shutdown(0, 2, TimeUnit.SECONDS);
            }
        });
    }

    /** How many shared clients are open: for tests of the clean-up. */
    static int openClients() {
        synchronized (RedisLimits.class) {
            return CLIENTS.size();
        }
    }

    /** How many decisions were made without Redis since this class was loaded: for tests. */
    static long decisionsWithoutRedis() {
        return Shared.WITHOUT_REDIS.get();
    }

    /** One client and its connection. */
    private static final class Shared {
        static final AtomicLong WITHOUT_REDIS = new AtomicLong();
        static final long RECONNECT_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);

        final Settings settings;
        /** A {@link RedisClient}, or a {@link RedisClusterClient} for several endpoints. */
        final AbstractRedisClient client;
        final ClientResources resources;
        final List<RedisURI> uris;
        /** The connection, or the attempt to make it; replaced when an attempt failed. */
        final AtomicReference<CompletableFuture<StatefulConnection<String, String>>> connection = new AtomicReference<>();
        /** Guarded by {@link RedisLimits}. */
        int leases;
        volatile boolean closed;
        /** When the last connection attempt failed (System.nanoTime). */
        volatile long lastFailureNanos;
        /** Whether a connection attempt ever failed: later attempts are not waited for by requests. */
        volatile boolean lostBefore;
        /** Set while decisions are made without Redis: the next answer is logged. */
        final AtomicBoolean failing = new AtomicBoolean();
        /** Decisions without Redis not yet logged, and when the last line was. */
        final AtomicLong unlogged = new AtomicLong();
        final AtomicLong lastLineNanos = new AtomicLong(System.nanoTime() - TimeUnit.SECONDS.toNanos(LOG_WINDOW_SECONDS));

        Shared(Settings settings, ClientResources resources) {
            this.settings = settings;
            this.resources = resources;
            ClientTls tls = settings.tls().value();
            List<RedisURI> uris = new ArrayList<>();
            for (Settings.Endpoint endpoint : settings.endpoints()) {
                RedisURI.Builder uri = RedisURI.builder().withHost(endpoint.host()).withPort(endpoint.port())
                        .withDatabase(settings.db());
                if (settings.username() != null) {
                    uri.withAuthentication(settings.username(), settings.password() == null ? "" : settings.password());
                } else if (settings.password() != null) {
                    uri.withPassword(settings.password().toCharArray());
                }
                if (tls != null) {
                    uri.withSsl(true).withVerifyPeer(tls.insecureSkipVerify() ? SslVerifyMode.NONE : SslVerifyMode.FULL);
                }
                if (settings.commandTimeout() != null) {
                    uri.withTimeout(settings.commandTimeout());
                }
                uris.add(uri.build());
            }
            this.uris = List.copyOf(uris);
            ClientOptions.Builder options = settings.cluster()
                    // Follow the cluster's changes (a failover, slots moved) as soon as a node says so.
                    ? ClusterClientOptions.builder().topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enableAllAdaptiveRefreshTriggers().enablePeriodicRefresh(Duration.ofSeconds(30)).build())
                    : ClientOptions.builder();
            options.autoReconnect(true)
                    // While disconnected, fail at once (and decide without Redis) rather than queue until the timeout.
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .socketOptions(SocketOptions.builder().connectTimeout(settings.dialTimeout()).build())
                    .timeoutOptions(settings.commandTimeout() == null
                            ? TimeoutOptions.builder().timeoutCommands(false).build()
                            : TimeoutOptions.enabled(settings.commandTimeout()));
            if (tls != null) {
                options.sslOptions(SslOptions.builder().jdkSslProvider().handshakeTimeout(settings.dialTimeout())
                        .sslContext(builder -> {
                            if (tls.keyManagers() != null) {
                                builder.keyManager(tls.keyManagers()[0]);
                            }
                            if (tls.trustManagers() != null) {
                                builder.trustManager(tls.trustManagers()[0]);
                            }
                        }).build());
            }
            if (settings.cluster()) {
                RedisClusterClient cluster = RedisClusterClient.create(resources, this.uris);
                cluster.setOptions((ClusterClientOptions) options.build());
                this.client = cluster;
            } else {
                RedisClient single = RedisClient.create(resources);
                single.setOptions(options.build());
                this.client = single;
            }
        }

        /**
         * The connection once made; a new attempt when the last one failed, at most one per
         * {@link #RECONNECT_BACKOFF_NANOS} (in between, the failed one: requests are decided without Redis).
         */
        CompletableFuture<StatefulConnection<String, String>> connection() {
            CompletableFuture<StatefulConnection<String, String>> current = connection.get();
            if (current != null && (!current.isCompletedExceptionally()
                    || System.nanoTime() - lastFailureNanos < RECONNECT_BACKOFF_NANOS)) {
                return current;
            }
            CompletableFuture<StatefulConnection<String, String>> attempt = new CompletableFuture<>();
            if (!connection.compareAndSet(current, attempt)) {
                return connection.get();
            }
            if (closed) {
                attempt.completeExceptionally(new IllegalStateException("the rate limiter stopped"));
                return attempt;
            }
            // A cluster client connects once it knows the cluster's nodes and slots (asked from the endpoints), and
            // connects to each node when first used: to every primary here, or the first commands, sent while those
            // connections are being made, would be rejected.
            CompletionStage<? extends StatefulConnection<String, String>> connecting = client instanceof RedisClusterClient cluster
                    ? cluster.refreshPartitionsAsync().thenCompose(known -> cluster.connectAsync(StringCodec.UTF8))
                            .thenCompose(made -> CompletableFuture.allOf(made.getPartitions().stream()
                                    .filter(node -> node.is(RedisClusterNode.NodeFlag.UPSTREAM))
                                    .map(node -> made.getConnectionAsync(node.getUri().getHost(), node.getUri().getPort()))
                                    .toArray(CompletableFuture[]::new)).thenApply(all -> made))
                    : ((RedisClient) client).connectAsync(StringCodec.UTF8, uris.get(0));
            connecting.whenComplete((made, failure) -> {
                if (failure != null) {
                    lastFailureNanos = System.nanoTime();
                    lostBefore = true;
                    attempt.completeExceptionally(failure);
                } else {
                    attempt.complete(made);
                    if (closed) {   // closed while connecting: nobody else will close it
                        made.closeAsync();
                    }
                }
            });
            return attempt;
        }

        /** The scripting commands of {@code connection}: a cluster's send each command to the node of its key. */
        static RedisScriptingAsyncCommands<String, String> commands(StatefulConnection<String, String> connection) {
            return connection instanceof StatefulRedisClusterConnection<String, String> cluster ? cluster.async()
                    : ((StatefulRedisConnection<String, String>) connection).async();
        }

        void answered() {
            if (failing.compareAndSet(true, false)) {
                long unloggedDecisions = unlogged.getAndSet(0);
                LOG.info("rateLimit: {} answers again; the limits are shared through it again{}", settings,
                        unloggedDecisions == 0 ? "" : " (" + unloggedDecisions + " more requests were decided without"
                                + " it since the previous line)");
            }
        }

        void failed(String middlewareName, Throwable failure) {
            WITHOUT_REDIS.incrementAndGet();
            failing.set(true);
            long unloggedDecisions = unlogged.incrementAndGet();
            long now = System.nanoTime();
            long last = lastLineNanos.get();
            if (now - last < TimeUnit.SECONDS.toNanos(LOG_WINDOW_SECONDS) || !lastLineNanos.compareAndSet(last, now)) {
                return;
            }
            unlogged.addAndGet(-unloggedDecisions);
            LOG.warn("rateLimit {}: {} cannot be used ({}); requests are limited by this instance's own buckets until it"
                    + " answers{}", middlewareName, settings, describe(failure), unloggedDecisions <= 1 ? ""
                    : " (" + unloggedDecisions + " requests decided this way since the previous line)");
            LOG.debug("rateLimit {}: the failure", middlewareName, failure);
        }

        /** Closes the connection, made or being made, then the client. */
        CompletableFuture<Void> close() {
            closed = true;
            CompletableFuture<StatefulConnection<String, String>> current = connection.get();
            CompletableFuture<Void> connectionClosed = current == null ? CompletableFuture.completedFuture(null)
                    : current.handle((made, failure) -> made)
                            .thenCompose(made -> made == null ? CompletableFuture.completedFuture(null) : made.closeAsync());
            return connectionClosed.handle((ignored, failure) -> null)
                    .thenCompose(ignored -> client.shutdownAsync(0, 2, TimeUnit.SECONDS));
        }
    }

    /** What went wrong, for a user: the messages of the failure and its causes, without exception class names. */
    static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = cause(failure); t != null && text.length() < 500; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && !message.isBlank() && text.indexOf(message) < 0) {
                text.append(text.length() == 0 ? "" : ": ").append(message.strip());
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return text.length() == 0 ? "no answer" : text.toString();
    }

    private static Throwable cause(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
