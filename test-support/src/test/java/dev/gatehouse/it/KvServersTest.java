package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The etcd and Redis the provider and storage tests run: they start, keep data across an outage, and speak TLS. */
class KvServersTest {

    @TempDir
    Path dir;

    @Test
    void etcdKeepsItsDataAcrossAStopAndStart() throws Exception {
        try (EtcdServer etcd = EtcdServer.in(dir.resolve("etcd")).start()) {
            etcd.put("traefik/http/routers/app/rule", "Host(`app.test`)");
            etcd.stop();
            assertFalse(etcd.running());
            etcd.start();
            assertEquals("Host(`app.test`)", etcd.get("traefik/http/routers/app/rule"));
            etcd.deletePrefix("traefik/");
            assertNull(etcd.get("traefik/http/routers/app/rule"));
        }
    }

    @Test
    void etcdWithTlsClientCertificatesAndAuthentication() throws Exception {
        Pki pki = new Pki(dir.resolve("pki"));
        try (EtcdServer etcd = EtcdServer.in(dir.resolve("etcd")).tls(pki.ca, pki.server, pki.serverKey, pki.client, pki.clientKey)
                .rootPassword("s3cret").start()) {
            assertTrue(etcd.url().startsWith("https://"));
            etcd.put("k", "v");
            assertEquals("v", etcd.get("k"));
        }
    }

    @Test
    void redisKeepsItsDataAcrossAStopAndStartAndNotifiesKeyspaceEvents() throws Exception {
        try (RedisServer redis = RedisServer.in(dir.resolve("redis")).start()) {
            redis.setAll(Map.of("traefik/http/routers/app/rule", "Host(`app.test`)", "traefik/http/routers/app/service", "app"));
            String flags = redis.redisCli("CONFIG", "GET", "notify-keyspace-events").lines().toList().get(1);
            assertTrue(flags.contains("K") && flags.contains("E") && flags.contains("A"), flags);
            redis.stop();
            redis.start();
            assertEquals("Host(`app.test`)", redis.get("traefik/http/routers/app/rule"));
            redis.delete("traefik/http/routers/app/rule");
            assertNull(redis.get("traefik/http/routers/app/rule"));
        }
    }

    @Test
    void redisWithTlsAUserAndASentinel() throws Exception {
        Pki pki = new Pki(dir.resolve("pki"));
        try (RedisServer redis = RedisServer.in(dir.resolve("redis")).auth("gatehouse", "s3cret").start();
                RedisServer sentinel = RedisServer.sentinel(dir.resolve("sentinel"), "mymaster", redis);
                RedisServer secure = RedisServer.in(dir.resolve("tls")).tls(pki.ca, pki.server, pki.serverKey, pki.client, pki.clientKey)
                        .start()) {
            redis.set("k", "v");
            assertEquals("v", redis.get("k"));
            List<String> master = sentinel.redisCli("SENTINEL", "get-master-addr-by-name", "mymaster").lines().toList();
            assertEquals(List.of("127.0.0.1", Integer.toString(redis.port())), master);
            secure.set("k", "tls");
            assertEquals("tls", secure.get("k"));
        }
    }

    /** A CA, a server certificate for 127.0.0.1/localhost and a client certificate, made with openssl. */
    static final class Pki {
        final Path ca;
        final Path server;
        final Path serverKey;
        final Path client;
        final Path clientKey;

        Pki(Path dir) throws Exception {
            java.nio.file.Files.createDirectories(dir);
            ca = dir.resolve("ca.pem");
            server = dir.resolve("server.pem");
            serverKey = dir.resolve("server-key.pem");
            client = dir.resolve("client.pem");
            clientKey = dir.resolve("client-key.pem");
            Path caKey = dir.resolve("ca-key.pem");
            openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                    "-subj", "/CN=test CA", "-keyout", caKey.toString(), "-out", ca.toString());
            issue(dir, caKey, "server", server, serverKey, "subjectAltName=DNS:localhost,IP:127.0.0.1");
            issue(dir, caKey, "client", client, clientKey, "extendedKeyUsage=clientAuth");
        }

        private void issue(Path dir, Path caKey, String name, Path cert, Path key, String extension) throws Exception {
            Path csr = dir.resolve(name + ".csr");
            openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=" + name,
                    "-addext", extension, "-keyout", key.toString(), "-out", csr.toString());
            openssl("x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                    "-CAcreateserial", "-days", "2", "-copy_extensions", "copy", "-out", cert.toString());
        }

        private static void openssl(String... args) {
            List<String> command = new java.util.ArrayList<>(List.of("openssl"));
            command.addAll(List.of(args));
            ServerProcess.run(command, null);
        }
    }
}
