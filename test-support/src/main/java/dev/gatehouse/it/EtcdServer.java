package dev.gatehouse.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real etcd (Debian's {@code etcd-server}, 3.4) that a test runs on its own loopback ports and data folder, plain
 * or with TLS and user authentication, and writes to with {@code etcdctl} (Debian's {@code etcd-client}) as an
 * operator would. {@link #stop()} and {@link #start()} keep the ports and the data, so a test can play an outage.
 *
 * <pre>{@code
 * try (EtcdServer etcd = EtcdServer.in(tempDir).start()) {
 *     etcd.put("traefik/http/routers/app/rule", "Host(`app.test`)");
 *     ... endpoints: [etcd.address()] ...
 * }
 * }</pre>
 */
public final class EtcdServer extends ServerProcess {

    private final String etcd;
    private final String etcdctl;
    private final int clientPort = freePort();
    private final int peerPort = freePort();
    private final Tls tls;
    private final String rootPassword;
    private boolean authEnabled;

    /**
     * TLS for the client port: the CA that signed the server's certificate (and the clients', when they must present
     * one), the server's certificate and key, and the certificate etcdctl presents (null: clients present none).
     */
    public record Tls(Path ca, Path certificate, Path key, Path clientCertificate, Path clientKey) {
    }

    private EtcdServer(Path dir, Tls tls, String rootPassword) {
        super(dir);
        this.etcd = binary("etcd", "etcd-server");
        this.etcdctl = binary("etcdctl", "etcd-client");
        this.tls = tls;
        this.rootPassword = rootPassword;
    }

    /** An etcd with its data in {@code dir}; call {@link Builder#start()}. */
    public static Builder in(Path dir) {
        return new Builder(dir);
    }

    public static final class Builder {
        private final Path dir;
        private Tls tls;
        private String rootPassword;

        private Builder(Path dir) {
            this.dir = dir;
        }

        /**
         * Serves clients over TLS with {@code certificate}/{@code key} (signed by {@code ca}); with a
         * {@code clientCertificate}, clients must present a certificate {@code ca} signed, and etcdctl presents that one.
         */
        public Builder tls(Path ca, Path certificate, Path key, Path clientCertificate, Path clientKey) {
            this.tls = new Tls(ca, certificate, key, clientCertificate, clientKey);
            return this;
        }

        /** Turns authentication on with the user {@code root} and this password. */
        public Builder rootPassword(String password) {
            this.rootPassword = password;
            return this;
        }

        public EtcdServer start() throws IOException, InterruptedException {
            EtcdServer server = new EtcdServer(dir, tls, rootPassword);
            server.start();
            return server;
        }
    }

    /** {@code 127.0.0.1:port}, as Traefik's {@code endpoints} take it. */
    public String address() {
        return "127.0.0.1:" + clientPort;
    }

    /** The client URL, {@code http://} or {@code https://}. */
    public String url() {
        return (tls == null ? "http://" : "https://") + address();
    }

    public int port() {
        return clientPort;
    }

    @Override
    protected int readyPort() {
        return clientPort;
    }

    @Override
    protected List<String> command() {
        String peer = "http://127.0.0.1:" + peerPort;
        List<String> command = new ArrayList<>(List.of(etcd, "--name", "t", "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", url(), "--advertise-client-urls", url(),
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", "t=" + peer,
                "--log-outputs", "stderr"));
        if (tls != null) {
            command.addAll(List.of("--cert-file", tls.certificate().toString(), "--key-file", tls.key().toString()));
            if (tls.clientCertificate() != null) {
                command.addAll(List.of("--client-cert-auth", "--trusted-ca-file", tls.ca().toString()));
            }
        }
        return command;
    }

    @Override
    protected void afterStart() {
        // The client port opens before etcd has elected itself leader; a write answers once it has.
        etcdctl("endpoint", "health");
        if (rootPassword != null && !authEnabled) {
            etcdctl("user", "add", "root", "--new-user-password=" + rootPassword, "--interactive=false");
            etcdctl("auth", "enable");
            authEnabled = true;
        }
    }

    public void put(String key, String value) {
        etcdctl("put", key, value);
    }

    public void delete(String key) {
        etcdctl("del", key);
    }

    /** Deletes every key under {@code prefix}. */
    public void deletePrefix(String prefix) {
        etcdctl("del", "--prefix", prefix);
    }

    /** The value of {@code key}, or null. */
    public String get(String key) {
        String out = etcdctl("get", "--print-value-only", key);
        return out.isEmpty() ? null : out.endsWith("\n") ? out.substring(0, out.length() - 1) : out;
    }

    /**
     * Writes all of {@code values} in one etcd transaction (one revision, one watch event): a router written "at once",
     * as a program writing through the API would.
     */
    public void putAll(Map<String, String> values) {
        StringBuilder operations = new StringBuilder("\n");   // no comparisons: the transaction always succeeds
        values.forEach((key, value) -> operations.append("put ").append(quoted(key)).append(' ')
                .append(quoted(value)).append('\n'));
        operations.append("\n\n");                            // and has no operations for failure
        run(etcdctlCommand("txn"), operations.toString());
    }

    /** A token of etcdctl's txn syntax: double quotes with Go escapes, so that a value may hold spaces. */
    private static String quoted(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /** Runs etcdctl (API v3) against this server, with its TLS and credentials, and returns what it printed. */
    public String etcdctl(String... args) {
        return run(etcdctlCommand(args), null);
    }

    private List<String> etcdctlCommand(String... args) {
        List<String> command = new ArrayList<>(List.of(etcdctl, "--endpoints=" + url(), "--command-timeout=10s"));
        if (tls != null) {
            command.add("--cacert=" + tls.ca());
            if (tls.clientCertificate() != null) {
                command.addAll(List.of("--cert=" + tls.clientCertificate(), "--key=" + tls.clientKey()));
            }
        }
        if (authEnabled) {
            command.add("--user=root:" + rootPassword);
        }
        command.addAll(List.of(args));
        return command;
    }
}
