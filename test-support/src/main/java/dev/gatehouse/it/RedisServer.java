package dev.gatehouse.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real Redis (Debian's {@code redis-server}, 7.0) that a test runs on its own loopback port and folder, plain or
 * with TLS and a user, with keyspace notifications on (as the Redis provider needs) unless told otherwise, and its
 * data kept across {@link #stop()} and {@link #start()} (append-only file). {@link #sentinel} runs a Sentinel
 * (Debian's {@code redis-sentinel}) that monitors one. Written to with {@code redis-cli}, as an operator would.
 */
public final class RedisServer extends ServerProcess {

    private final String redisServer;
    private final String redisCli;
    private final int port = freePort();
    private final Builder settings;
    private final boolean sentinelMode;

    /** TLS for the port: the CA that signed the server's certificate, the server's pair, the pair redis-cli presents. */
    public record Tls(Path ca, Path certificate, Path key, Path clientCertificate, Path clientKey) {
    }

    private RedisServer(Path dir, Builder settings, boolean sentinelMode) {
        super(dir);
        this.redisServer = binary("redis-server", "redis-server");
        this.redisCli = binary("redis-cli", "redis-tools");
        this.settings = settings;
        this.sentinelMode = sentinelMode;
    }

    /** A Redis with its data in {@code dir}; call {@link Builder#start()}. */
    public static Builder in(Path dir) {
        return new Builder(dir);
    }

    public static final class Builder {
        private final Path dir;
        private Tls tls;
        private String user;
        private String password;
        private String notifyKeyspaceEvents = "KEA";
        private String sentinelMaster;
        private RedisServer monitored;

        private Builder(Path dir) {
            this.dir = dir;
        }

        /**
         * Serves over TLS only, with {@code certificate}/{@code key} signed by {@code ca}; with a
         * {@code clientCertificate}, clients must present one {@code ca} signed, and redis-cli presents that one.
         */
        public Builder tls(Path ca, Path certificate, Path key, Path clientCertificate, Path clientKey) {
            this.tls = new Tls(ca, certificate, key, clientCertificate, clientKey);
            return this;
        }

        /** Requires this password: of the default user with {@code user} null, else of an ACL user of that name. */
        public Builder auth(String user, String password) {
            this.user = user;
            this.password = password;
            return this;
        }

        /** The {@code notify-keyspace-events} setting ("KEA" unless set; "" turns notifications off). */
        public Builder notifyKeyspaceEvents(String flags) {
            this.notifyKeyspaceEvents = flags;
            return this;
        }

        public RedisServer start() throws IOException, InterruptedException {
            RedisServer server = new RedisServer(dir, this, false);
            server.start();
            return server;
        }
    }

    /**
     * A Sentinel in {@code dir} that monitors {@code master} under the name {@code masterName} (quorum 1), started.
     * Clients ask it for the master's address; {@link #address()} is the Sentinel's.
     */
    public static RedisServer sentinel(Path dir, String masterName, RedisServer master)
            throws IOException, InterruptedException {
        Builder settings = new Builder(dir);
        settings.sentinelMaster = masterName;
        settings.monitored = master;
        RedisServer sentinel = new RedisServer(dir, settings, true);
        sentinel.start();
        return sentinel;
    }

    /** {@code 127.0.0.1:port}, as Traefik's {@code endpoints} take it. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    @Override
    protected int readyPort() {
        return port;
    }

    @Override
    protected List<String> command() {
        Path config = dir.resolve(sentinelMode ? "sentinel.conf" : "redis.conf");
        try {
            if (!Files.exists(config)) {   // Sentinel rewrites its own file: keep it across a restart
                Files.writeString(config, sentinelMode ? sentinelConfig() : serverConfig(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sentinelMode ? List.of(redisServer, config.toString(), "--sentinel") : List.of(redisServer, config.toString());
    }

    private String serverConfig() {
        StringBuilder config = new StringBuilder()
                .append("bind 127.0.0.1\n")
                .append("dir ").append(dir).append('\n')
                .append("save \"\"\nappendonly yes\nappendfsync everysec\n")
                .append("notify-keyspace-events \"").append(settings.notifyKeyspaceEvents).append("\"\n");
        Tls tls = settings.tls;
        if (tls == null) {
            config.append("port ").append(port).append('\n');
        } else {
            config.append("port 0\ntls-port ").append(port).append('\n')
                    .append("tls-cert-file ").append(tls.certificate()).append('\n')
                    .append("tls-key-file ").append(tls.key()).append('\n')
                    .append("tls-ca-cert-file ").append(tls.ca()).append('\n')
                    .append("tls-auth-clients ").append(tls.clientCertificate() == null ? "no" : "yes").append('\n');
        }
        if (settings.password != null) {
            if (settings.user == null) {
                config.append("requirepass \"").append(settings.password).append("\"\n");
            } else {
                config.append("user default off\n")
                        .append("user ").append(settings.user).append(" on >").append(settings.password)
                        .append(" ~* &* +@all\n");
            }
        }
        return config.toString();
    }

    private String sentinelConfig() {
        RedisServer master = settings.monitored;
        StringBuilder config = new StringBuilder()
                .append("bind 127.0.0.1\nport ").append(port).append('\n')
                .append("dir ").append(dir).append('\n')
                .append("sentinel monitor ").append(settings.sentinelMaster).append(" 127.0.0.1 ")
                .append(master.port).append(" 1\n");
        if (master.settings.password != null) {
            config.append("sentinel auth-pass ").append(settings.sentinelMaster).append(' ')
                    .append(master.settings.password).append('\n');
            if (master.settings.user != null) {
                config.append("sentinel auth-user ").append(settings.sentinelMaster).append(' ')
                        .append(master.settings.user).append('\n');
            }
        }
        return config.toString();
    }

    public void set(String key, String value) {
        redisCli("SET", key, value);
    }

    /** Sets every key of {@code values} in one command (MSET). */
    public void setAll(Map<String, String> values) {
        List<String> args = new ArrayList<>(List.of("MSET"));
        values.forEach((key, value) -> {
            args.add(key);
            args.add(value);
        });
        redisCli(args.toArray(String[]::new));
    }

    public void delete(String... keys) {
        List<String> args = new ArrayList<>(List.of("DEL"));
        args.addAll(List.of(keys));
        redisCli(args.toArray(String[]::new));
    }

    /** The value of {@code key}, or null. */
    public String get(String key) {
        String out = redisCli("--no-raw", "GET", key).strip();
        return out.equals("(nil)") ? null : redisCli("GET", key).replaceFirst("\n$", "");
    }

    /** Runs redis-cli against this server, with its TLS and credentials, and returns what it printed. */
    public String redisCli(String... args) {
        List<String> command = new ArrayList<>(List.of(redisCli, "-h", "127.0.0.1", "-p", Integer.toString(port)));
        Tls tls = settings.tls;
        if (tls != null) {
            command.addAll(List.of("--tls", "--cacert", tls.ca().toString()));
            if (tls.clientCertificate() != null) {
                command.addAll(List.of("--cert", tls.clientCertificate().toString(), "--key", tls.clientKey().toString()));
            }
        }
        if (settings.password != null && !sentinelMode) {
            if (settings.user != null) {
                command.addAll(List.of("--user", settings.user));
            }
            command.addAll(List.of("--pass", settings.password, "--no-auth-warning"));
        }
        command.addAll(List.of(args));
        return run(command, null);
    }
}
