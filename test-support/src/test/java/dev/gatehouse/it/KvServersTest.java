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
        TestPki pki = new TestPki(dir.resolve("pki"));
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
        TestPki pki = new TestPki(dir.resolve("pki"));
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
}
