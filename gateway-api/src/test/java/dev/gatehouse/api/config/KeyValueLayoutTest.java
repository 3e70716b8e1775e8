package dev.gatehouse.api.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.ConfigurationFragment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Traefik's KV layout read into per-element fragments, as Traefik's kv_test.go reads it. */
class KeyValueLayoutTest {

    private static Map<String, Object> contentByOrigin(List<ConfigurationFragment> fragments) {
        return fragments.stream().collect(Collectors.toMap(ConfigurationFragment::origin, f -> f.content().isEmpty()
                ? f.errors() : f.content(), (a, b) -> a, LinkedHashMap::new));
    }

    @Test
    void indexesBecomeListsAndNamesMatchWithoutCase() {
        Map<String, String> pairs = new LinkedHashMap<>();
        pairs.put("traefik/http/routers/Router0/entryPoints/1", "websecure");
        pairs.put("traefik/http/routers/Router0/entryPoints/0", "web");
        pairs.put("traefik/http/routers/Router0/RULE", "Host(`a`)");
        pairs.put("traefik/http/routers/router0/service", "svc");
        pairs.put("traefik/http/routers/Router0/tls", "");
        pairs.put("traefik/http/services/svc/loadBalancer/servers/0/url", "http://127.0.0.1:1");
        pairs.put("traefik/http/middlewares/gz/compress", "");
        pairs.put("traefik/tls/certificates/0/certFile", "/a.pem");
        pairs.put("traefik/tls/certificates/1/certFile", "/b.pem");
        pairs.put("other/http/routers/x/rule", "not ours");
        Map<String, Object> fragments = contentByOrigin(KeyValueLayout.fragments("etcd", "traefik", pairs));
        assertEquals("{http={routers={Router0={entryPoints=[web, websecure], RULE=Host(`a`), service=svc, tls=}}}}",
                fragments.get("etcd: traefik/http/routers/Router0").toString());
        assertEquals("{http={services={svc={loadBalancer={servers=[{url=http://127.0.0.1:1}]}}}}}",
                fragments.get("etcd: traefik/http/services/svc").toString());
        assertEquals("{http={middlewares={gz={compress=}}}}", fragments.get("etcd: traefik/http/middlewares/gz").toString());
        assertEquals("{tls={certificates=[{certFile=/a.pem}, {certFile=/b.pem}]}}",
                fragments.get("etcd: traefik/tls/certificates").toString());
        assertEquals(4, fragments.size(), fragments.toString());
    }

    @Test
    void aKeyThatCannotBePlacedLeavesOutItsElementOnlyAndUnknownSectionsAreNamed() {
        Map<String, String> pairs = Map.of(
                "traefik/http/routers/good/rule", "Host(`good`)",
                "traefik/http/routers/bad/rule", "Host(`bad`)",
                "traefik/http/routers/bad/rule/x", "1",
                "traefik/htp/routers/typo/rule", "Host(`typo`)",
                "traefik//http//routers/slashes/rule", "Host(`s`)");
        List<ConfigurationFragment> fragments = KeyValueLayout.fragments("redis", "traefik/", pairs);
        Map<String, Object> byOrigin = contentByOrigin(fragments);
        assertTrue(byOrigin.containsKey("redis: traefik/http/routers/good"), byOrigin.toString());
        assertTrue(byOrigin.containsKey("redis: traefik/http/routers/slashes"), "empty segments are skipped, as in Traefik");
        String errors = byOrigin.get("redis: traefik/").toString();
        assertTrue(errors.contains("key 'traefik/http/routers/bad/rule/x': 'rule' is set both as a value and as a section; "
                + "http router 'bad' is left out"), errors);
        assertTrue(errors.contains("keys under traefik/htp are not configuration"), errors);
        assertEquals(3, fragments.size(), byOrigin.toString());
    }

    @Test
    void aBracketedSegmentIsNotAListIndexAsInTraefikAndItsElementIsLeftOutNamingTheKey() {
        Map<String, String> pairs = Map.of(
                "traefik/http/routers/app/rule", "Host(`app`)",
                "traefik/http/routers/app/entrypoints/[0]", "web",
                "traefik/http/routers/other/rule", "Host(`other`)");
        Map<String, Object> byOrigin = contentByOrigin(KeyValueLayout.fragments("etcd", "traefik", pairs));
        assertTrue(byOrigin.containsKey("etcd: traefik/http/routers/other"), byOrigin.toString());
        assertTrue(!byOrigin.containsKey("etcd: traefik/http/routers/app"), "read as entrypoints=[web]: " + byOrigin);
        String errors = byOrigin.get("etcd: traefik/").toString();
        assertTrue(errors.contains("key 'traefik/http/routers/app/entrypoints/[0]': the segment '[0]' is not a list "
                + "index"), errors);
        assertTrue(errors.contains("http router 'app' is left out"), errors);
    }

    @Test
    void aRejectedKeyLeavesOutItsElementOnly() {
        Map<String, String> pairs = Map.of(
                "traefik/http/routers/app/rule", "Host(`app`)",
                "traefik/http/routers/other/rule", "Host(`other`)");
        Map<String, Object> byOrigin = contentByOrigin(KeyValueLayout.fragments("redis", "traefik", pairs,
                Map.of("traefik/http/routers/app/service", "the value is 2 MiB; too large")));
        assertTrue(byOrigin.containsKey("redis: traefik/http/routers/other"), byOrigin.toString());
        assertTrue(!byOrigin.containsKey("redis: traefik/http/routers/app"), byOrigin.toString());
        assertTrue(byOrigin.get("redis: traefik/").toString().contains("key 'traefik/http/routers/app/service': the value "
                + "is 2 MiB; too large; http router 'app' is left out"), byOrigin.toString());
    }
}
