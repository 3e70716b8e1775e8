package dev.gatehouse.plugins.etcd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.ConfigurationFragment;
import dev.gatehouse.api.GatewayEnvironment;
import dev.gatehouse.api.config.KeyValueLayout;
import dev.gatehouse.plugins.kv.StoreRead;
import dev.gatehouse.it.EtcdServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a prefix from a real etcd in pages: every key once, in order, nothing from outside the prefix. */
class EtcdKeyValueStoreTest {

    @TempDir
    Path dir;

    @Test
    void aPrefixLargerThanOnePageIsReadWhole() throws Exception {
        try (EtcdServer etcd = EtcdServer.in(dir.resolve("etcd")).start()) {
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                etcd.put("traefik/http/routers/r" + i + "/rule", "Host(`r" + i + "`)");
                expected.add("traefik/http/routers/r" + i + "/rule");
            }
            etcd.put("traefik0", "after the prefix");
            etcd.put("traefi", "before the prefix");
            GatewayEnvironment environment = environment();
            EtcdClientOptions options = new EtcdClientOptions(List.of(etcd.address()), null, null, null, "providers.etcd");
            try (EtcdKeyValueStore store = new EtcdKeyValueStore(() -> EtcdConnection.open(options, environment), 3)) {
                Map<String, String> pairs = store.readAll("traefik/").pairs();
                assertEquals(expected, new ArrayList<>(pairs.keySet()));
                assertEquals("Host(`r6`)", pairs.get("traefik/http/routers/r6/rule"));
            }
        }
    }

    private GatewayEnvironment environment() {
        return new GatewayEnvironment() {
            @Override
            public String version() {
                return "test";
            }

            @Override
            public Path home() {
                return dir;
            }

            @Override
            public Path resolve(String path) {
                return dir.resolve(path);
            }
        };
    }

    @Test
    void valuesOverTheLimitAreNotReadTheirKeysAreNamedAndTheirElementsFailAlone() throws Exception {
        try (EtcdServer etcd = EtcdServer.in(dir.resolve("etcd")).start()) {
            EtcdClientOptions options = new EtcdClientOptions(List.of(etcd.address()), null, null, null, "providers.etcd");
            // 15 values of 1.2 MiB (etcd accepts up to 1.5 MiB): 18 MiB, more than one response may carry.
            String large = "x".repeat(1200 * 1024);
            try (EtcdConnection writer = EtcdConnection.open(options, environment())) {
                for (int i = 0; i < 15; i++) {
                    writer.client().getKVClient().put(EtcdConnection.bytes("traefik/http/routers/big" + i + "/rule"),
                            EtcdConnection.bytes(large)).get();
                }
            }
            etcd.put("traefik/http/routers/big0/service", "svc");
            etcd.put("traefik/http/routers/small/rule", "Host(`small`)");
            try (EtcdKeyValueStore store = new EtcdKeyValueStore(() -> EtcdConnection.open(options, environment()))) {
                StoreRead read = store.readAll("traefik/");
                assertEquals(Map.of("traefik/http/routers/big0/service", "svc",
                        "traefik/http/routers/small/rule", "Host(`small`)"), read.pairs());
                assertEquals(15, read.oversized().size(), read.oversized().toString());
                assertEquals("the value is 1.2 MiB; a value read from the store is limited to 1 MiB (keep large content, "
                        + "such as certificates, in files and give their paths)",
                        read.oversized().get("traefik/http/routers/big0/rule"));
                List<ConfigurationFragment> fragments = KeyValueLayout.fragments("etcd", "traefik", read.pairs(),
                        read.oversized());
                assertEquals("etcd: traefik/http/routers/small", fragments.get(0).origin());
                String errors = fragments.get(fragments.size() - 1).errors().toString();
                assertTrue(errors.contains("key 'traefik/http/routers/big0/rule': the value is 1.2 MiB; a value read "
                        + "from the store is limited to 1 MiB"), errors);
                assertTrue(errors.contains("http router 'big0' is left out"), errors);
            }
        }
    }

    @Test
    void theRangeEndIsTheNextPrefix() {
        assertArrayEquals("traefik0".getBytes(StandardCharsets.UTF_8),
                EtcdKeyValueStore.rangeEnd("traefik/".getBytes(StandardCharsets.UTF_8)));
        assertArrayEquals(new byte[] {'b'}, EtcdKeyValueStore.rangeEnd(new byte[] {'a', (byte) 0xff}));
    }
}
