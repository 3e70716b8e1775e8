package dev.gatehouse.plugins.acme.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code provider: exec} and {@code provider: httpreq}, each in lego's default and RAW modes, with a real script
 * (scripts/dns-set-txt.sh, nsupdate) and a real HTTP endpoint that run the record into the real DNS server.
 */
class ScriptAndHttpProvidersTest {

    @TempDir
    Path dir;

    private static DnsProvider provider(String name, Map<String, String> env) {
        return DnsProviders.create(name, new LegoEnvironment(env::get));
    }

    @Test
    void execRunsTheProgramWithTheRecordAndTheServerServesIt() throws Exception {
        TestDnsServer dns = TestDnsServer.require();
        DnsProvider exec = provider("exec", Map.of("EXEC_PATH", dns.setTxtScript));
        ChallengeRecord record = ChallengeRecord.of("exec.example.test", "tok", "tok.thumb");
        exec.present(record);
        dns.awaitVisible(record);
        exec.cleanup(record);
        assertEquals(List.of(), dns.txt(record.fqdn()));
    }

    @Test
    void execInRawModeHandsOverDomainTokenAndKeyAuthorization() throws Exception {
        TestDnsServer dns = TestDnsServer.require();
        // The script computes the value from the key authorization itself: the record only matches when the
        // arguments are lego's (present -- domain token keyAuth).
        DnsProvider exec = provider("exec", Map.of("EXEC_PATH", dns.setTxtScript, "EXEC_MODE", "RAW"));
        ChallengeRecord record = ChallengeRecord.of("*.raw-exec.example.test", "tok", "tok.thumb");
        assertEquals("raw-exec.example.test", record.domain());
        exec.present(record);
        dns.awaitVisible(record);
        exec.cleanup(record);
        assertEquals(List.of(), dns.txt(record.fqdn()));
    }

    @Test
    void aFailingProgramFailsTheChallengeWithItsOutput() throws Exception {
        Path script = dir.resolve("fails.sh");
        Files.writeString(script, "#!/bin/sh\necho \"no credentials for $2\" >&2\nexit 3\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        IOException failed = assertThrows(IOException.class, () -> provider("exec", Map.of("EXEC_PATH", script.toString()))
                .present(ChallengeRecord.of("x.example.test", "t", "t.k")));
        assertTrue(failed.getMessage().contains("exited with 3")
                && failed.getMessage().contains("no credentials for _acme-challenge.x.example.test."), failed.getMessage());
    }

    /** An endpoint that does what a real httpreq endpoint does: runs the update into the DNS server. */
    private static final class Endpoint implements AutoCloseable {
        final HttpServer server;
        final List<String> requests = Collections.synchronizedList(new ArrayList<>());

        Endpoint(TestDnsServer dns, String credentials) throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/dns/", exchange -> {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                String action = exchange.getRequestURI().getPath().substring("/dns/".length());
                String auth = exchange.getRequestHeaders().getFirst("Authorization");
                requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " "
                        + exchange.getRequestHeaders().getFirst("Content-Type") + " " + body.strip());
                int status;
                if (credentials != null && !("Basic " + Base64.getEncoder().encodeToString(
                        credentials.getBytes(StandardCharsets.UTF_8))).equals(auth)) {
                    status = 401;
                } else {
                    List<String> command = new ArrayList<>(List.of(dns.setTxtScript, action));
                    if (body.contains("\"keyAuth\"")) {
                        command.addAll(List.of("--", field(body, "domain"), field(body, "token"), field(body, "keyAuth")));
                    } else {
                        command.addAll(List.of(field(body, "fqdn"), field(body, "value")));
                    }
                    status = run(command) ? 200 : 500;
                }
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/dns";
        }

        private static String field(String json, String name) {
            Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]*)\"").matcher(json);
            return m.find() ? m.group(1) : "";
        }

        private static boolean run(List<String> command) {
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
                process.getInputStream().readAllBytes();
                return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
            } catch (IOException | InterruptedException e) {
                return false;
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @Test
    void httpreqPostsLegosJsonToPresentAndCleanup() throws Exception {
        TestDnsServer dns = TestDnsServer.require();
        try (Endpoint endpoint = new Endpoint(dns, null)) {
            DnsProvider httpreq = provider("httpreq", Map.of("HTTPREQ_ENDPOINT", endpoint.url()));
            ChallengeRecord record = ChallengeRecord.of("httpreq.example.test", "tok", "tok.thumb");
            httpreq.present(record);
            dns.awaitVisible(record);
            httpreq.cleanup(record);
            assertEquals(List.of(), dns.txt(record.fqdn()));
            assertEquals(List.of(
                    "POST /dns/present application/json {\"fqdn\":\"_acme-challenge.httpreq.example.test.\",\"value\":\""
                            + record.value() + "\"}",
                    "POST /dns/cleanup application/json {\"fqdn\":\"_acme-challenge.httpreq.example.test.\",\"value\":\""
                            + record.value() + "\"}"), endpoint.requests);
        }
    }

    @Test
    void httpreqInRawModeWithBasicAuthentication() throws Exception {
        TestDnsServer dns = TestDnsServer.require();
        try (Endpoint endpoint = new Endpoint(dns, "acme:s3cret")) {
            ChallengeRecord record = ChallengeRecord.of("raw-httpreq.example.test", "tok", "tok.thumb");
            IOException unauthorized = assertThrows(IOException.class, () -> provider("httpreq",
                    Map.of("HTTPREQ_ENDPOINT", endpoint.url(), "HTTPREQ_MODE", "RAW")).present(record));
            assertTrue(unauthorized.getMessage().contains("answered 401"), unauthorized.getMessage());

            DnsProvider httpreq = provider("httpreq", Map.of("HTTPREQ_ENDPOINT", endpoint.url(), "HTTPREQ_MODE", "RAW",
                    "HTTPREQ_USERNAME", "acme", "HTTPREQ_PASSWORD", "s3cret"));
            httpreq.present(record);
            dns.awaitVisible(record);
            assertEquals("POST /dns/present application/json {\"domain\":\"raw-httpreq.example.test\",\"token\":\"tok\","
                    + "\"keyAuth\":\"tok.thumb\"}", endpoint.requests.get(endpoint.requests.size() - 1));
            httpreq.cleanup(record);
            assertEquals(List.of(), dns.txt(record.fqdn()));
        }
    }

    @Test
    void unsupportedProvidersAreRefusedWithTheListOfSupportedOnes() {
        for (String name : List.of("cloudflare", "route53", "ovh")) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> provider(name, Map.of()));
            assertEquals("provider '" + name + "' is unsupported: Gatehouse supports exec, httpreq, rfc2136 "
                    + "(lego's other DNS providers are not available; see " + DnsProviders.DOCS + ")", refused.getMessage());
        }
        IllegalArgumentException noEndpoint = assertThrows(IllegalArgumentException.class,
                () -> provider("httpreq", Map.of()));
        assertTrue(noEndpoint.getMessage().contains("HTTPREQ_ENDPOINT"), noEndpoint.getMessage());
        IllegalArgumentException noPath = assertThrows(IllegalArgumentException.class, () -> provider("exec", Map.of()));
        assertTrue(noPath.getMessage().contains("EXEC_PATH"), noPath.getMessage());
    }

    @Test
    void httpreqRefusesAMalformedEndpointOrTimeoutNamingTheVariable() {
        for (String endpoint : List.of("ftp://127.0.0.1/dns", "127.0.0.1:8080", "http://[::1/dns", "http:///dns")) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> provider("httpreq", Map.of("HTTPREQ_ENDPOINT", endpoint)), endpoint);
            assertTrue(refused.getMessage().startsWith("HTTPREQ_ENDPOINT '" + endpoint + "' is not"), refused.getMessage());
        }
        IllegalArgumentException timeout = assertThrows(IllegalArgumentException.class, () -> provider("httpreq",
                Map.of("HTTPREQ_ENDPOINT", "http://127.0.0.1/dns", "HTTPREQ_HTTP_TIMEOUT", "30s")));
        assertTrue(timeout.getMessage().contains("HTTPREQ_HTTP_TIMEOUT is '30s'"), timeout.getMessage());
    }

    /** An endpoint's refusal fails the challenge with its status and (the start of) its answer. */
    @Test
    void httpreqFailsOnAnErrorStatusWithTheEndpointsAnswer() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] answer = (exchange.getRequestURI().getPath().endsWith("/present") ? "zone not managed here\n"
                    : "x".repeat(5000)).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(exchange.getRequestURI().getPath().endsWith("/present") ? 403 : 500, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/dns";
            DnsProvider httpreq = provider("httpreq", Map.of("HTTPREQ_ENDPOINT", url));
            ChallengeRecord record = ChallengeRecord.of("refused.example.test", "tok", "tok.thumb");
            DnsChallengeException present = assertThrows(DnsChallengeException.class, () -> httpreq.present(record));
            assertEquals("httpreq: POST " + url + "/present for refused.example.test answered 403: zone not managed here",
                    present.getMessage());
            DnsChallengeException cleanup = assertThrows(DnsChallengeException.class, () -> httpreq.cleanup(record));
            assertEquals("httpreq: POST " + url + "/cleanup for refused.example.test answered 500: " + "x".repeat(200)
                    + "...", cleanup.getMessage(), "a long answer is cut");
        } finally {
            server.stop(0);
        }
        DnsProvider unreachable = provider("httpreq", Map.of("HTTPREQ_ENDPOINT",
                "http://127.0.0.1:" + server.getAddress().getPort() + "/dns", "HTTPREQ_HTTP_TIMEOUT", "2"));
        DnsChallengeException down = assertThrows(DnsChallengeException.class,
                () -> unreachable.present(ChallengeRecord.of("down.example.test", "tok", "tok.thumb")));
        assertTrue(down.getMessage().startsWith("httpreq: POST http://127.0.0.1:" + server.getAddress().getPort()
                + "/dns/present failed: "), down.getMessage());
    }
}
