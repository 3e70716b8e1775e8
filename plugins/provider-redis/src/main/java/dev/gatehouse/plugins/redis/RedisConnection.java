package dev.gatehouse.plugins.redis;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.api.GatewayEnvironment;
import dev.gatehouse.plugins.kv.ClientTls;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * A lettuce client built from {@link RedisClientOptions}, for whatever reads Redis (the provider, a certificate
 * storage): a plain server or a master found through Sentinel, with TLS, an ACL user and a database. Building it
 * checks the options and reads the TLS material, so a bad option fails at start with a message naming it; it does not
 * connect until {@link #connect()} or {@link #connectPubSub()}. Connections reconnect by themselves (pub/sub
 * connections subscribe again), and commands fail at once while disconnected instead of queueing.
 *
 * <pre>{@code
 * try (RedisConnection redis = RedisConnection.open(config.clientOptions(), environment);
 *         StatefulRedisConnection<String, String> connection = redis.connect()) {
 *     String value = connection.sync().get(key);
 * }
 * }</pre>
 */
public final class RedisConnection implements AutoCloseable {

    /** How long a connection attempt or a command may take. */
    static final Duration TIMEOUT = Duration.ofSeconds(3);

    static {
        // lettuce records JFR events by reflection on its own class names, which the plugin jar's relocated copy
        // breaks: every connection failed with "argument type mismatch" (JfrEventRecorder). The shade plugin relocates
        // this property's name with lettuce, so it switches off this plugin's copy only. Before any client exists.
        if (System.getProperty("io.lettuce.core.jfr") == null) {
            System.setProperty("io.lettuce.core.jfr", "false");
        }
    }

    private final RedisClient client;
    private final ClientResources resources;
    private final RedisURI uri;
    private final int db;
    private final String description;

    private RedisConnection(RedisClient client, ClientResources resources, RedisURI uri, int db,
            String description) {
        this.client = client;
        this.resources = resources;
        this.uri = uri;
        this.db = db;
        this.description = description;
    }

    /**
     * Builds the client.
     *
     * @throws IllegalArgumentException when an option cannot work (a malformed endpoint, unreadable TLS files, a
     *     Sentinel without masterName), with a message naming the option
     */
    public static RedisConnection open(RedisClientOptions options, GatewayEnvironment environment) {
        requireNonNull(options, "options");
        requireNonNull(environment, "environment");
        String prefix = options.optionPrefix();
        if (options.endpoints().isEmpty()) {
            throw new IllegalArgumentException(prefix + ".endpoints: no endpoint (expected host:port, e.g. 127.0.0.1:6379)");
        }
        if (options.db() < 0) {
            throw new IllegalArgumentException(prefix + ".db: " + options.db() + " is not a database number (0 or more)");
        }
        if (options.username() != null && options.password() == null) {
            throw new IllegalArgumentException(prefix + ": username is set without password");
        }
        RedisClientOptions.Sentinel sentinel = options.sentinel();
        List<URI> addresses = new ArrayList<>();
        for (String endpoint : options.endpoints()) {
            addresses.add(address(endpoint, prefix));
        }
        RedisURI.Builder builder;
        String description;
        if (sentinel != null) {
            if (sentinel.masterName() == null) {
                throw new IllegalArgumentException(prefix + ".sentinel.masterName: required with sentinel (the name the "
                        + "Sentinels monitor the master under, e.g. mymaster)");
            }
            checkStrategies(sentinel, prefix);
            builder = RedisURI.builder().withSentinelMasterId(sentinel.masterName());
            for (URI address : addresses) {
                RedisURI.Builder sentinelUri = RedisURI.builder().withHost(address.getHost()).withPort(address.getPort())
                        .withTimeout(TIMEOUT).withSsl(options.tls() != null);
                if (sentinel.password() != null) {
                    sentinelUri.withAuthentication(sentinel.username(), sentinel.password());
                }
                builder.withSentinel(sentinelUri.build());
            }
            description = "the master '" + sentinel.masterName() + "' of the Sentinels at " + String.join(",", options.endpoints());
        } else {
            if (addresses.size() > 1) {
                throw new IllegalArgumentException(prefix + ".endpoints: several endpoints need sentinel.masterName (Redis "
                        + "Sentinel); Redis Cluster is not supported: give one endpoint");
            }
            builder = RedisURI.builder().withHost(addresses.get(0).getHost()).withPort(addresses.get(0).getPort());
            description = "Redis at " + options.endpoints().get(0);
        }
        builder.withDatabase(options.db()).withTimeout(TIMEOUT);
        if (options.password() != null) {
            if (options.username() != null) {
                builder.withAuthentication(options.username(), options.password());
            } else {
                builder.withPassword(options.password().toCharArray());
            }
        }
        SocketOptions socket = SocketOptions.builder().connectTimeout(TIMEOUT).keepAlive(true).build();
        ClientOptions.Builder clientOptions = ClientOptions.builder()
                .socketOptions(socket)
                .timeoutOptions(TimeoutOptions.enabled(TIMEOUT))
                .autoReconnect(true)
                // A command while disconnected fails at once: the caller keeps what it has and tries again later,
                // instead of piling commands up in a queue.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
        if (options.tls() != null) {
            builder.withSsl(true).withVerifyPeer(options.tls().insecureSkipVerify() ? SslVerifyMode.NONE : SslVerifyMode.FULL);
            clientOptions.sslOptions(sslOptions(options.tls(), environment, prefix));
        }
        // Reconnect soon after Redis is back: lettuce's default waits up to 30 s between attempts.
        ClientResources resources = DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        RedisClient client = RedisClient.create(resources);
        client.setOptions(clientOptions.build());
        return new RedisConnection(client, resources, builder.build(), options.db(), description);
    }

    /** The client, for connections of other kinds. */
    public RedisClient client() {
        return client;
    }

    /** Where to connect: the server or the Sentinels, with credentials, database and TLS. */
    public RedisURI uri() {
        return uri;
    }

    /** The selected database ({@code db}). */
    public int db() {
        return db;
    }

    /** What is connected to, for messages ({@code Redis at 127.0.0.1:6379}). */
    public String description() {
        return description;
    }

    /**
     * A command connection with string keys and values; through Sentinel, to the master, whatever the read strategy
     * (see {@link #checkStrategies}).
     */
    public StatefulRedisConnection<String, String> connect() {
        return client.connect(StringCodec.UTF8, uri);
    }

    /** A pub/sub connection (to the master, through Sentinel); it subscribes again by itself after a reconnect. */
    public StatefulRedisPubSubConnection<String, String> connectPubSub() {
        return client.connectPubSub(StringCodec.UTF8, uri);
    }

    /**
     * Why a call to Redis failed, in a user's words and without exception class names: for the log and for
     * {@code /api/providers}.
     */
    public String describeFailure(Throwable failure) {
        String last = null;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = String.valueOf(t.getMessage());
            String upper = message.toUpperCase(Locale.ROOT);
            if (upper.contains("WRONGPASS") || upper.contains("NOAUTH") || upper.contains("NOPERM")) {
                return description + " refused the credentials: " + message + "; check username and password";
            }
            if (t instanceof SSLException) {
                return "cannot reach " + description + ": TLS handshake failed (" + message + "); check the tls options";
            }
            if (t instanceof ConnectException || t instanceof UnknownHostException) {
                return "cannot reach " + description + ": " + message;
            }
            if (t.getMessage() != null) {
                last = message;
            }
        }
        return "cannot use " + description + (last == null ? "" : ": " + last);
    }

    @Override
    public void close() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    /**
     * Checks Traefik's read strategies ({@code latencyStrategy}, {@code randomStrategy}, {@code replicaStrategy}): at
     * most one, as Traefik requires. They are accepted, but every read goes to the master all the same: keyspace
     * notifications come from the master, and a read sent to a replica right after one may not see the change yet
     * (replication is asynchronous), leaving the gateway on the old configuration until the next change. The reads
     * are a few per change, so replicas would relieve the master of nothing that matters.
     */
    private static void checkStrategies(RedisClientOptions.Sentinel sentinel, String prefix) {
        int strategies = (sentinel.latencyStrategy() ? 1 : 0) + (sentinel.randomStrategy() ? 1 : 0)
                + (sentinel.replicaStrategy() ? 1 : 0);
        if (strategies > 1) {
            throw new IllegalArgumentException(prefix + ".sentinel: latencyStrategy, randomStrategy and replicaStrategy "
                    + "are mutually exclusive; set only one of them");
        }
    }

    private static URI address(String endpoint, String prefix) {
        if (endpoint.contains("://")) {
            throw new IllegalArgumentException(prefix + ".endpoints: '" + endpoint + "' is not host:port (e.g. 127.0.0.1:6379)");
        }
        URI uri;
        try {
            uri = URI.create("redis://" + endpoint);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(prefix + ".endpoints: '" + endpoint + "' is not host:port", e);
        }
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw new IllegalArgumentException(prefix + ".endpoints: '" + endpoint + "' needs a host and a port (e.g. 127.0.0.1:6379)");
        }
        return uri;
    }

    private static SslOptions sslOptions(ClientTls tls, GatewayEnvironment environment, String prefix) {
        ClientTls.Material material = tls.load(environment, prefix);
        return SslOptions.builder().jdkSslProvider().sslContext(ssl -> {
            if (material.insecureSkipVerify()) {
                ssl.trustManager(InsecureTrustManagerFactory.INSTANCE);
            } else if (material.caPem() != null) {
                ssl.trustManager(new ByteArrayInputStream(material.caPem()));
            }
            if (material.keyManager() != null) {
                ssl.keyManager(material.keyManager());
            }
        }).build();
    }
}
