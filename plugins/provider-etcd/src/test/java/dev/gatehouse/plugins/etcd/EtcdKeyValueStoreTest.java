package dev.gatehouse.plugins.etcd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gatehouse.api.GatewayEnvironment;
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
            GatewayEnvironment environment = new GatewayEnvironment() {
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
            EtcdClientOptions options = new EtcdClientOptions(List.of(etcd.address()), null, null, null, "providers.etcd");
            try (EtcdKeyValueStore store = new EtcdKeyValueStore(() -> EtcdConnection.open(options, environment), 3)) {
                Map<String, String> pairs = store.readAll("traefik/");
                assertEquals(expected, new ArrayList<>(pairs.keySet()));
                assertEquals("Host(`r6`)", pairs.get("traefik/http/routers/r6/rule"));
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
