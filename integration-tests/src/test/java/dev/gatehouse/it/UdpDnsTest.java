package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.testkit.TestGateway;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real DNS server (dnsmasq) behind a UDP entry point ({@code address: ".../udp"}): queried with dig and with many
 * client sockets, balanced by weight over two servers, sessions closed after {@code udp.timeout}, kept across a
 * reload, and capped under a flood of client addresses. What the gateway did is read from its API.
 */
class UdpDnsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private static String staticConfig(String udpOptions) {
        return """
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                  dns:
                    address: "127.0.0.1:0/udp"
                    udp:
                %s
                providers:
                  providersThrottleDuration: 200ms
                  file:
                    directory: dynamic
                api: {}
                """.formatted(udpOptions.indent(6).stripTrailing());
    }

    /** The API's router, and a UDP router {@code dns} to {@code service} on the entry point dns. */
    private static String dynamic(String services) {
        return """
                http:
                  routers:
                    api:
                      rule: PathPrefix(`/api`)
                      service: api@internal
                udp:
                  routers:
                    dns:
                      entryPoints: [dns]
                      service: dns
                  services:
                %s
                """.formatted(services.indent(4).stripTrailing());
    }

    private static String loadBalancer(Dnsmasq... servers) {
        StringBuilder yaml = new StringBuilder("dns:\n  loadBalancer:\n    servers:\n");
        for (Dnsmasq server : servers) {
            yaml.append("      - address: ").append(server.address()).append('\n');
        }
        return yaml.toString();
    }

    private TestGateway gateway(String udpOptions, String dynamic) {
        TestGateway gateway = Gateways.withDynamic(dir, dynamic).staticConfig(staticConfig(udpOptions)).start();
        closing.add(gateway);
        return gateway;
    }

    private Dnsmasq dnsmasq(String answer) throws Exception {
        Dnsmasq server = Dnsmasq.start(dir.resolve("dnsmasq"), answer);
        closing.add(server);
        return server;
    }

    private DatagramSocket client() throws Exception {
        DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        socket.setSoTimeout(2000);
        closing.add(socket);
        return socket;
    }

    private static JsonNode api(TestGateway gateway, String path) throws Exception {
        HttpResponse<String> response = gateway.get(path);
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return JSON.readTree(response.body());
    }

    /** The entry point dns as {@code /api/entrypoints} shows it, with its session counts under {@code udp}. */
    private static JsonNode dnsEntryPoint(TestGateway gateway) throws Exception {
        for (JsonNode entryPoint : api(gateway, "/api/entrypoints")) {
            if (entryPoint.path("name").asText().equals("dns")) {
                return entryPoint;
            }
        }
        throw new AssertionError("no entry point dns in /api/entrypoints");
    }

    private static long sessions(TestGateway gateway) throws Exception {
        return dnsEntryPoint(gateway).path("udp").path("sessions").asLong();
    }

    @Test
    void digGetsTheAnswerOfTheDnsServerAndTheApiShowsTheRouterAndService() throws Exception {
        Dnsmasq server = dnsmasq("127.0.0.42");
        TestGateway gateway = gateway("timeout: 5s", dynamic(loadBalancer(server)));
        int port = gateway.port("dns");

        assertEquals("127.0.0.42", Dig.query(port), "dig through the UDP entry point");

        JsonNode router = api(gateway, "/api/udp/routers/dns@file");
        assertEquals("enabled", router.path("status").asText(), router.toString());
        assertEquals("[\"dns\"]", router.path("using").toString());
        assertEquals("dns", router.path("service").asText());
        JsonNode service = api(gateway, "/api/udp/services/dns@file");
        assertEquals("loadbalancer", service.path("type").asText(), service.toString());
        assertEquals(server.address(), service.path("loadBalancer").path("servers").get(0).path("address").asText());
        assertEquals("[\"dns@file\"]", service.path("usedBy").toString());
        JsonNode overview = api(gateway, "/api/overview");
        assertEquals(1, overview.path("udp").path("routers").path("total").asInt(), overview.toString());
        assertEquals(1, overview.path("udp").path("services").path("total").asInt(), overview.toString());
        JsonNode entryPoint = dnsEntryPoint(gateway);
        assertEquals("127.0.0.1:" + port + "/udp", entryPoint.path("address").asText().replace(":0/", ":" + port + "/"));
        assertEquals("5s", entryPoint.path("udp").path("timeout").asText(), entryPoint.toString());
    }

    @Test
    void manyClientsEachGetTheirAnswerAndIdleSessionsCloseAfterTheTimeout() throws Exception {
        Dnsmasq server = dnsmasq("127.0.0.42");
        TestGateway gateway = gateway("timeout: 1s", dynamic(loadBalancer(server)));
        int port = gateway.port("dns");
        List<DatagramSocket> clients = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            clients.add(client());
        }
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < clients.size(); i++) {
                assertEquals("127.0.0.42", Dig.ask(clients.get(i), port, round * 100 + i), "client " + i);
            }
        }
        JsonNode udp = dnsEntryPoint(gateway).path("udp");
        assertEquals(40, udp.path("sessionsOpened").asInt(), "one session per client address: " + udp);

        Poll.until("the idle sessions are closed after udp.timeout", WAIT, () -> sessions(gateway) == 0);
    }

    @Test
    void weightedServiceSharesNewSessionsBetweenTwoDnsServers() throws Exception {
        Dnsmasq one = dnsmasq("127.0.0.42");
        Dnsmasq two = dnsmasq("127.0.0.43");
        TestGateway gateway = gateway("timeout: 30s", dynamic("""
                dns:
                  weighted:
                    services:
                      - name: one
                        weight: 3
                      - name: two
                        weight: 1
                one:
                  loadBalancer:
                    servers:
                      - address: %s
                two:
                  loadBalancer:
                    servers:
                      - address: %s
                """.formatted(one.address(), two.address())));
        int port = gateway.port("dns");
        int toOne = 0;
        int toTwo = 0;
        for (int i = 0; i < 8; i++) {
            String answer = Dig.ask(client(), port, i);
            if ("127.0.0.42".equals(answer)) {
                toOne++;
            } else if ("127.0.0.43".equals(answer)) {
                toTwo++;
            }
        }
        assertEquals(6, toOne, "3 of 4 new sessions to the first server");
        assertEquals(2, toTwo, "1 of 4 new sessions to the second server");
        assertEquals("weighted", api(gateway, "/api/udp/services/dns@file").path("type").asText());
    }

    @Test
    void aReloadKeepsALiveSessionToAServerStillConfiguredAndARemovedRouterStops() throws Exception {
        Dnsmasq one = dnsmasq("127.0.0.42");
        Dnsmasq two = dnsmasq("127.0.0.43");
        TestGateway gateway = gateway("timeout: 30s", dynamic(loadBalancer(one)));
        int port = gateway.port("dns");
        DatagramSocket live = client();
        assertEquals("127.0.0.42", Dig.ask(live, port, 1));

        // Two comes first now: a new session would go to it; the live one stays with one, which is still there.
        long generation = gateway.application().generation();
        gateway.writeDynamic("test.yml", dynamic(loadBalancer(two, one)));
        gateway.awaitReload(generation, () -> true, WAIT);
        assertEquals("127.0.0.43", Dig.ask(client(), port, 2), "a new client goes to the first server");
        assertEquals("127.0.0.42", Dig.ask(live, port, 3), "the live session survived the reload");
        assertEquals(2, dnsEntryPoint(gateway).path("udp").path("sessionsOpened").asInt());

        generation = gateway.application().generation();
        gateway.writeDynamic("test.yml", """
                http:
                  routers:
                    api:
                      rule: PathPrefix(`/api`)
                      service: api@internal
                """);
        gateway.awaitReload(generation, () -> true, WAIT);
        Poll.until("the sessions of the removed router are closed", WAIT, () -> sessions(gateway) == 0);
        live.setSoTimeout(500);
        assertNull(Dig.ask(live, port, 4), "no router: no answer");
        assertEquals(0, api(gateway, "/api/udp/routers").size());
    }

    @Test
    void aFloodOfClientAddressesStaysUnderTheCapAndServedClientsKeepTheirAnswers() throws Exception {
        Dnsmasq server = dnsmasq("127.0.0.42");
        TestGateway gateway = gateway("timeout: 30s\nmaxSessions: 5", dynamic(loadBalancer(server)));
        int port = gateway.port("dns");
        List<DatagramSocket> served = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            served.add(client());
            assertEquals("127.0.0.42", Dig.ask(served.get(i), port, i));
        }
        List<DatagramSocket> flood = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            DatagramSocket socket = client();
            socket.setSoTimeout(50);
            flood.add(socket);
            assertNull(Dig.ask(socket, port, 100 + i), "a client beyond the cap gets no answer");
        }
        JsonNode udp = Poll.untilValue("the 30 new clients counted as refused", WAIT,
                () -> dnsEntryPoint(gateway).path("udp"), counters -> counters.path("sessionsRefused").asInt() == 30);
        assertEquals(5, udp.path("sessions").asInt(), udp.toString());
        for (int i = 0; i < served.size(); i++) {
            assertEquals("127.0.0.42", Dig.ask(served.get(i), port, 200 + i), "served client " + i + " still served");
        }
        assertTrue(gateway.logs().contains("UDP entry point dns has 5 sessions open (its maxSessions)"), gateway.logs());
    }

    @Test
    void aUdpRouterOnATcpEntryPointIsDisabledNamingItsFileAndTheOthersServe() throws Exception {
        Dnsmasq server = dnsmasq("127.0.0.42");
        TestGateway gateway = gateway("timeout: 3s", dynamic(loadBalancer(server)).replace("""
                udp:
                  routers:
                """, """
                udp:
                  routers:
                    wrong:
                      entryPoints: [web]
                      service: dns
                """));
        JsonNode wrong = api(gateway, "/api/udp/routers/wrong@file");
        assertEquals("disabled", wrong.path("status").asText(), wrong.toString());
        assertTrue(wrong.path("error").toString().contains("entry point 'web' is not a UDP entry point"),
                wrong.toString());
        assertTrue(gateway.logs().contains("UDP router wrong@file (from " + gateway.dynamicDir().resolve("test.yml")),
                gateway.logs());
        assertEquals("127.0.0.42", Dig.query(gateway.port("dns")), "the good router still serves");
    }
}
