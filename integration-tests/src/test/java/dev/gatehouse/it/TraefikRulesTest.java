package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.testkit.TestGateway;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Traefik's rule language through the real gateway, with matchers-http loaded by PF4J from the plugins folder:
 * this is where the plugin's own RE2/J (shaded inside its jar) has to be found, since the gateway does not
 * ship it. Requests are written byte for byte so that no client cleans the path first.
 */
class TraefikRulesTest {

    @TempDir
    static Path dir;

    private static TestBackend backend;
    private static TestGateway gateway;

    /** Each router answers with its own name in X-Router; the backend echoes the URI it received. */
    @BeforeAll
    static void start() throws Exception {
        backend = TestBackend.echo("b");
        StringBuilder routers = new StringBuilder();
        List<String[]> rules = List.of(
                new String[] {"assets", "HostRegexp(`^static\\\\.`) && PathRegexp(`^/(css|js)/[[:alnum:]]+\\\\.(css|js)$`)"},
                new String[] {"beta", "Header(`X-Env`, `beta`) && PathPrefix(`/h`)"},
                new String[] {"betaRegexp", "HeaderRegexp(`x-env`, `^(?P<stage>rc|alpha)$`) && PathPrefix(`/h`)"},
                new String[] {"mobile", "Query(`mobile`) && Path(`/q`)"},
                new String[] {"mobileTrue", "QueryRegexp(`mobile`, `^(true|yes)$`) && Path(`/q`)"},
                new String[] {"local", "ClientIP(`127.0.0.0/8`) && Path(`/ip`)"},
                new String[] {"remote", "ClientIP(`10.0.0.0/8`) && Path(`/ip`)"},
                new String[] {"encoded", "Path(`/a%2Fb`)"},
                new String[] {"cleaned", "Path(`/b`)"},
                new String[] {"negated", "!PathPrefix(`/p`) && Host(\"neg.test\")"},
                // rules match Traefik's routing path: escapes decoded but the reserved ones; forwarded as sent
                new String[] {"decoded", "Host(`d.test`) && (Path(`/foo bar`) || PathPrefix(`/caf\u00e9`))"});
        for (String[] rule : rules) {
            routers.append("    ").append(rule[0]).append(":\n      rule: \"").append(rule[1].replace("\"", "\\\""))
                    .append("\"\n      service: app\n");
        }
        gateway = Gateways.withDynamic(dir, """
                http:
                  routers:
                %s  services:
                    app:
                      loadBalancer:
                        servers:
                          - url: %s
                """.formatted(routers, backend.url())).start();
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        backend.close();
    }

    @Test
    void thePluginJarCarriesItsRegexpEngineRelocated() throws Exception {
        Path jar;
        try (var files = Files.list(Gateways.BUNDLED_PLUGINS)) {
            jar = files.filter(p -> p.getFileName().toString().startsWith("matchers-http")).findFirst().orElseThrow();
        }
        try (JarFile file = new JarFile(jar.toFile())) {
            assertTrue(file.getEntry("dev/gatehouse/plugins/matchers/internal/re2j/Pattern.class") != null, jar.toString());
            assertEquals(null, file.getEntry("com/google/re2j/Pattern.class"));
        }
    }

    /** method | host | target | headers (' ~ ' separated) | expected status and uri the backend received. */
    @ParameterizedTest(name = "{0} {1}{2} [{3}]")
    @CsvSource(delimiterString = " | ", nullValues = "-", textBlock = """
            GET  | static.test | /css/site.css      | -                  | 200 /css/site.css
            GET  | static.test | /css/site.css/x    | -                  | 404
            GET  | www.test    | /css/site.css      | -                  | 404
            GET  | STATIC.test | /js/app.js         | -                  | 200 /js/app.js
            GET  | h.test      | /h                 | X-Env: beta        | 200 /h
            GET  | h.test      | /h                 | x-env: alpha       | 200 /h
            GET  | h.test      | /h                 | X-Env: prod        | 404
            GET  | q.test      | /q?mobile          | -                  | 200 /q?mobile
            GET  | q.test      | /q?mobile=yes      | -                  | 200 /q?mobile=yes
            GET  | q.test      | /q?mobile=no       | -                  | 404
            GET  | q.test      | /q?x=1;mobile=yes  | -                  | 200 /q?x=1&mobile=yes
            GET  | q.test      | /q?x=1%3Bmobile    | -                  | 404
            GET  | ip.test     | /ip                | X-Forwarded-For: 10.1.1.1 | 200 /ip
            GET  | e.test      | /a%2Fb             | -                  | 200 /a%2Fb
            GET  | e.test      | /a/b               | -                  | 404
            GET  | e.test      | /x/../b            | -                  | 200 /b
            GET  | e.test      | //b                | -                  | 200 /b
            GET  | e.test      | /%62               | -                  | 200 /b
            GET  | neg.test    | /z                 | -                  | 200 /z
            GET  | d.test      | /foo%20bar         | -                  | 200 /foo%20bar
            GET  | d.test      | /caf%C3%A9/menu    | -                  | 200 /caf%C3%A9/menu
            GET  | d.test      | /foo%2520bar       | -                  | 404
            GET  | d.test      | /foo+bar           | -                  | 404
            GET  | neg.test    | /p                 | -                  | 404
            """)
    void routes(String method, String host, String target, String headers, String expected) throws Exception {
        String response = send(method, host, target, headers == null ? new String[0] : headers.split(" ~ "));
        String status = response.substring(9, 12);
        if (expected.equals("404")) {
            assertEquals("404", status, response);
            return;
        }
        assertEquals(expected.substring(0, 3), status, response);
        assertTrue(response.contains("uri=" + expected.substring(4) + "\n"), response);
    }

    private static String send(String method, String host, String target, String... headerLines) throws Exception {
        StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n");
        for (String line : headerLines) {
            head.append(line).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", gateway.port("web")), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(head.toString().getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(bytes);
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
