package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gatehouse.testkit.TestGateway;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The rule language as a client sees it: each router sends to its own backend, and each request either
 * reaches the expected backend or gets the gateway's 404. Requests go over a raw socket so that the Host
 * header is exactly the one in the table.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RoutingRulesTest {

    /** Router name -> rule (and optional explicit priority after a '#'). Names are chosen so that ordering
     *  by name alone would give the wrong answer wherever priority matters. */
    private static final Map<String, String> ROUTERS = new LinkedHashMap<>();

    static {
        ROUTERS.put("host", "Host(`Example.COM`)");
        ROUTERS.put("exact", "Path(`/exact`)");
        ROUTERS.put("prefix", "PathPrefix(`/pre`)");
        ROUTERS.put("and", "Host(`and.test`) && Path(`/both`)");
        ROUTERS.put("or", "Path(`/or1`) || Path(`/or2`)");
        ROUTERS.put("not", "Host(`not.test`) && !PathPrefix(`/admin`)");
        ROUTERS.put("parens", "Host(`paren.test`) && (Path(`/a`) || Path(`/b`))");
        // && binds tighter than ||: /p1 on any host, /p2 only on prec.test
        ROUTERS.put("prec", "Path(`/p1`) || Host(`prec.test`) && Path(`/p2`)");
        ROUTERS.put("method", "Method(`DELETE`) && PathPrefix(`/m`)");
        // priority = rule length: the longer rule wins although its name sorts last
        ROUTERS.put("a-short", "PathPrefix(`/prio`)");
        ROUTERS.put("b-long", "PathPrefix(`/prio/longer`)");
        // an explicit priority beats a longer rule, although its name sorts last
        ROUTERS.put("c-longer", "PathPrefix(`/expl/longer/rule`)");
        ROUTERS.put("z-explicit", "PathPrefix(`/expl`)#100");
    }

    @TempDir
    static Path dir;

    private static final List<TestBackend> backends = new ArrayList<>();
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        StringBuilder yaml = new StringBuilder("http:\n  routers:\n");
        StringBuilder services = new StringBuilder("  services:\n");
        for (Map.Entry<String, String> router : ROUTERS.entrySet()) {
            String[] ruleAndPriority = router.getValue().split("#");
            String name = router.getKey();
            TestBackend backend = TestBackend.echo(name);
            backends.add(backend);
            yaml.append("    ").append(name).append(":\n")
                    .append("      rule: \"").append(ruleAndPriority[0]).append("\"\n")
                    .append("      service: ").append(name).append('\n');
            if (ruleAndPriority.length > 1) {
                yaml.append("      priority: ").append(ruleAndPriority[1]).append('\n');
            }
            services.append("    ").append(name).append(":\n      loadBalancer:\n        servers:\n          - url: ")
                    .append(backend.url()).append('\n');
        }
        gateway = Gateways.withDynamic(dir, yaml.append(services).toString()).start();
        gateway.awaitReload(0, () -> ROUTERS.keySet().stream().allMatch(r -> gateway.routerEnabled(r + "@file")),
                java.time.Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        for (TestBackend backend : backends) {
            backend.close();
        }
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
            GET    | example.com       | /x                  | host
            GET    | EXAMPLE.com:8080  | /x                  | host
            GET    | example.COM:80    | /                   | host
            GET    | other.com         | /x                  | 404
            GET    | sub.example.com   | /x                  | 404
            GET    | any.test          | /exact              | exact
            GET    | any.test          | /exact/             | 404
            GET    | any.test          | /exactly            | 404
            GET    | any.test          | /pre                | prefix
            GET    | any.test          | /pre/x              | prefix
            GET    | any.test          | /prefix-for-sale    | prefix
            GET    | any.test          | /pr                 | 404
            GET    | and.test          | /both               | and
            GET    | AND.test:9000     | /both               | and
            GET    | and.test          | /other              | 404
            GET    | x.test            | /both               | 404
            GET    | any.test          | /or1                | or
            GET    | any.test          | /or2                | or
            GET    | any.test          | /or3                | 404
            GET    | not.test          | /public             | not
            GET    | not.test          | /admin/x            | 404
            GET    | other.test        | /public             | 404
            GET    | paren.test        | /a                  | parens
            GET    | paren.test        | /b                  | parens
            GET    | paren.test        | /c                  | 404
            GET    | other.test        | /a                  | 404
            GET    | any.test          | /p1                 | prec
            GET    | prec.test         | /p2                 | prec
            GET    | other.test        | /p2                 | 404
            DELETE | any.test          | /m/1                | method
            GET    | any.test          | /m/1                | 404
            GET    | any.test          | /prio/x             | a-short
            GET    | any.test          | /prio/longer/x      | b-long
            GET    | any.test          | /expl/longer/rule   | z-explicit
            GET    | any.test          | /expl/x             | z-explicit
            """)
    void routesByRule(String method, String host, String path, String expected) throws Exception {
        RawHttp.Response response = RawHttp.exchange(gateway.port("web"),
                method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close");
        if (expected.equals("404")) {
            assertEquals(404, response.status(), response.bodyText());
            assertEquals("404 page not found\n", response.bodyText());
        } else {
            assertEquals(200, response.status(), response.bodyText());
            Echoed echoed = Echoed.parse(response.bodyText());
            assertEquals(expected, echoed.backend());
            assertEquals(path, echoed.uri());
            assertEquals(method, echoed.method());
        }
    }
}
