package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Floods against a real gateway process (128 MiB heap) with a UDP entry point in front of dnsmasq: hundreds of
 * client addresses, and one client sending as fast as it can. The sessions stay at {@code udp.maxSessions}, the
 * clients that have a session keep getting their answers, the log says it a bounded number of times, and the
 * process keeps serving.
 */
class UdpFloodProcessTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_SESSIONS = 50;

    @TempDir
    Path dir;

    @Test
    void aFloodOfClientAddressesAndOfDatagramsLeavesServedClientsServed() throws Exception {
        try (Dnsmasq dns = Dnsmasq.start(dir.resolve("dnsmasq"), "127.0.0.42")) {
            int web = Gateways.freePort();
            int udp;
            try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                udp = probe.getLocalPort();
            }
            Path gw = dir.resolve("gw");
            Gateways.withDynamic(gw, """
                    http:
                      routers:
                        api:
                          rule: PathPrefix(`/api`)
                          service: api@internal
                    udp:
                      routers:
                        dns:
                          service: dns
                      services:
                        dns:
                          loadBalancer:
                            servers:
                              - address: %s
                    """.formatted(dns.address()));
            Path config = gw.resolve("gatehouse.yml");
            Files.writeString(config, """
                    entryPoints:
                      web:
                        address: "127.0.0.1:%d"
                      dns:
                        address: "127.0.0.1:%d/udp"
                        udp:
                          timeout: 30s
                          maxSessions: %d
                    ping:
                      entryPoint: web
                    api: {}
                    providers:
                      file:
                        directory: %s
                    """.formatted(web, udp, MAX_SESSIONS, gw.resolve("dynamic")));
            try (GatewayProcess gateway = GatewayProcess.start(gw, config, gw.resolve("plugins"),
                    "http://127.0.0.1:" + web + "/ping")) {
                Poll.until("the UDP router is applied", Duration.ofSeconds(10),
                        () -> Http.get("http://127.0.0.1:" + web + "/api/udp/routers/dns@file").statusCode() == 200);
                List<DatagramSocket> served = new ArrayList<>();
                try {
                    for (int i = 0; i < 10; i++) {
                        DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                        socket.setSoTimeout(2000);
                        served.add(socket);
                        assertEquals("127.0.0.42", Dig.ask(socket, udp, i));
                    }

                    // 400 client addresses, 20 datagrams each, in rounds of 50 sockets (bounded in count and time).
                    byte[] question = Dig.question(7);
                    for (int round = 0; round < 8; round++) {
                        List<DatagramSocket> flood = new ArrayList<>();
                        try {
                            for (int i = 0; i < 50; i++) {
                                flood.add(new DatagramSocket(0, InetAddress.getLoopbackAddress()));
                            }
                            for (int n = 0; n < 20; n++) {
                                for (DatagramSocket socket : flood) {
                                    socket.send(new DatagramPacket(question, question.length,
                                            InetAddress.getLoopbackAddress(), udp));
                                }
                            }
                        } finally {
                            flood.forEach(DatagramSocket::close);
                        }
                    }
                    // A client that has a session sends as fast as it can: 20,000 datagrams of 1 KiB, which the
                    // gateway forwards to dnsmasq (that drops them) without holding up the others.
                    DatagramSocket loud = served.get(0);
                    byte[] noise = new byte[1024];
                    for (int n = 0; n < 20_000; n++) {
                        loud.send(new DatagramPacket(noise, noise.length, InetAddress.getLoopbackAddress(), udp));
                    }

                    JsonNode counters = Poll.untilValue("the counters of the entry point", Duration.ofSeconds(10),
                            () -> dnsEntryPoint(web).path("udp"), c -> c.path("sessions").asInt() == MAX_SESSIONS);
                    assertTrue(counters.path("sessionsRefused").asInt() > 0, counters.toString());
                    for (int i = 1; i < served.size(); i++) {
                        assertEquals("127.0.0.42", askWithRetries(served.get(i), udp, 100 + i),
                                "served client " + i + " is still served: " + counters);
                    }
                } finally {
                    served.forEach(DatagramSocket::close);
                }
                String output = gateway.output();
                long warnings = output.lines().filter(line -> line.contains("(its maxSessions)")).count();
                assertTrue(warnings >= 1 && warnings <= 20, warnings + " warnings about the cap:\n" + output);
                assertEquals(200, Http.status("http://127.0.0.1:" + web + "/ping"), "the process still serves");
            }
        }
    }

    /** As a DNS client does: up to three tries, since a datagram may be lost while the flood fills the buffers. */
    private static String askWithRetries(DatagramSocket socket, int port, int id) throws Exception {
        for (int attempt = 0; attempt < 3; attempt++) {
            String answer = Dig.ask(socket, port, id);
            if (answer != null) {
                return answer;
            }
        }
        return null;
    }

    private static JsonNode dnsEntryPoint(int web) throws Exception {
        for (JsonNode entryPoint : JSON.readTree(Http.get("http://127.0.0.1:" + web + "/api/entrypoints").body())) {
            if (entryPoint.path("name").asText().equals("dns")) {
                return entryPoint;
            }
        }
        throw new AssertionError("no entry point dns in /api/entrypoints");
    }
}
