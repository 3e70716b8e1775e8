package dev.gatehouse.core.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.core.config.dynamic.udp.UdpRouterConfig;
import dev.gatehouse.core.config.dynamic.udp.UdpServiceConfig;
import dev.gatehouse.core.dynamic.Defined;
import dev.gatehouse.core.dynamic.UdpDefinitions;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The UDP entry point against real sockets on loopback: sessions, balancing, idle timeout, reloads, the cap. */
class UdpGatewayTest {

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    @Test
    void eachClientKeepsItsServerAndNewClientsTakeTurns() throws Exception {
        EchoServer one = echo("one");
        EchoServer two = echo("two");
        UdpGateway gateway = gateway(Duration.ofSeconds(30), 100);
        gateway.apply(routing(service(one, two)));

        DatagramSocket first = client();
        DatagramSocket second = client();
        String firstServer = ask(gateway, first, "a");
        String secondServer = ask(gateway, second, "b");
        assertNotEquals(firstServer.split(":")[0], secondServer.split(":")[0], "two new clients take turns");
        for (int i = 0; i < 5; i++) {
            assertEquals(firstServer.split(":")[0] + ":x" + i, ask(gateway, first, "x" + i), "a client keeps its server");
        }
        assertEquals(2, gateway.stats("dns").sessions());
    }

    @Test
    void idleSessionsAreClosedAfterTheTimeout() throws Exception {
        EchoServer one = echo("one");
        UdpGateway gateway = gateway(Duration.ofMillis(300), 100);
        gateway.apply(routing(service(one)));
        ask(gateway, client(), "hello");
        assertEquals(1, gateway.stats("dns").sessions());
        await(() -> gateway.stats("dns").sessions() == 0, Duration.ofSeconds(5), "the idle session is closed");
    }

    @Test
    void aFloodOfClientAddressesStaysUnderTheCapAndTheFirstClientsAreStillServed() throws Exception {
        EchoServer one = echo("one");
        UdpGateway gateway = gateway(Duration.ofSeconds(30), 3);
        gateway.apply(routing(service(one)));
        List<DatagramSocket> served = List.of(client(), client(), client());
        for (DatagramSocket socket : served) {
            ask(gateway, socket, "in");
        }
        for (int i = 0; i < 20; i++) {
            send(gateway, client(), "flood");
        }
        await(() -> gateway.stats("dns").refused() == 20, Duration.ofSeconds(5), "the 20 new clients are refused");
        assertEquals(3, gateway.stats("dns").sessions());
        for (DatagramSocket socket : served) {
            assertEquals("one:again", ask(gateway, socket, "again"), "a client in the cap is still served");
        }
    }

    @Test
    void aReloadKeepsSessionsToServersStillConfiguredAndClosesTheOthers() throws Exception {
        EchoServer one = echo("one");
        EchoServer two = echo("two");
        UdpGateway gateway = gateway(Duration.ofSeconds(30), 100);
        gateway.apply(routing(service(one)));
        DatagramSocket kept = client();
        assertEquals("one:a", ask(gateway, kept, "a"));

        gateway.apply(routing(service(two, one)));   // one is still there: the session goes on
        assertEquals(1, gateway.stats("dns").sessions());
        assertEquals("one:b", ask(gateway, kept, "b"));
        assertEquals(1, gateway.stats("dns").opened(), "no new session was opened");

        gateway.apply(routing(service(two)));   // one is gone: its session ends, the next datagram goes to two
        await(() -> gateway.stats("dns").sessions() == 0, Duration.ofSeconds(5), "the session to 'one' is closed");
        assertEquals("two:c", ask(gateway, kept, "c"));

        gateway.apply(UdpRouting.EMPTY);   // no router: nothing is served
        await(() -> gateway.stats("dns").sessions() == 0, Duration.ofSeconds(5), "the session to 'two' is closed");
        send(gateway, kept, "d");
        kept.setSoTimeout(300);
        assertNull(receiveOrNull(kept), "no router, no answer");
    }

    @Test
    void weightsShareNewSessions() throws Exception {
        EchoServer one = echo("one");
        EchoServer two = echo("two");
        UdpGateway gateway = gateway(Duration.ofSeconds(30), 100);
        UdpDefinitions definitions = new UdpDefinitions(
                Map.of("dns@file", new Defined<>(new UdpRouterConfig(List.of("dns"), "canary"), "test", "file")),
                Map.of("canary@file", new Defined<>(new UdpServiceConfig(null, new UdpServiceConfig.Weighted(List.of(
                                new UdpServiceConfig.WeightedService("a", 3), new UdpServiceConfig.WeightedService("b", 1)))),
                                "test", "file"),
                        "a@file", new Defined<>(lb(one), "test", "file"),
                        "b@file", new Defined<>(lb(two), "test", "file")));
        gateway.apply(UdpRouting.build(definitions, List.of(), specs(gateway), List.of()));
        int toOne = 0;
        for (int i = 0; i < 8; i++) {
            if (ask(gateway, client(), "w").startsWith("one:")) {
                toOne++;
            }
        }
        assertEquals(6, toOne, "3 of every 4 new sessions go to 'one'");
    }

    @Test
    void anIpv6EntryPointServesIpv6ClientsFromAnIpv4Server() throws Exception {
        EchoServer one = echo("one");
        UdpGateway gateway = UdpGateway.open(List.of(new UdpEntryPointSpec("dns", "::1", 0, Duration.ofSeconds(30),
                100, false)));
        gateway.start();
        closing.add(gateway::stop);
        gateway.apply(routing(service(one)));
        DatagramSocket client = new DatagramSocket(0, InetAddress.getByName("::1"));
        client.setSoTimeout(3000);
        closing.add(client);
        byte[] bytes = "v6".getBytes(StandardCharsets.UTF_8);
        client.send(new DatagramPacket(bytes, bytes.length, InetAddress.getByName("::1"), gateway.port("dns")));
        DatagramPacket answer = new DatagramPacket(new byte[64], 64);
        client.receive(answer);
        assertEquals("one:v6", new String(answer.getData(), 0, answer.getLength(), StandardCharsets.UTF_8));
        assertEquals(InetAddress.getByName("::1"), answer.getAddress(), "the answer comes from the entry point");
    }

    @Test
    void aSourceClaimingToBeTheEntryPointItselfIsRecognised() throws Exception {
        UdpGateway gateway = gateway(Duration.ofSeconds(30), 100);
        int port = gateway.port("dns");
        UdpEntryPoint entryPoint = gateway.entryPoint("dns");
        // Its answers would come back to it as new questions: no session is opened for it.
        assertTrue(entryPoint.isOwnAddress(new java.net.InetSocketAddress("127.0.0.1", port)));
        assertTrue(entryPoint.isOwnAddress(new java.net.InetSocketAddress("127.0.0.2", port)), "any loopback address");
        assertFalse(entryPoint.isOwnAddress(new java.net.InetSocketAddress("127.0.0.1", port == 1 ? 2 : port - 1)));
        assertFalse(entryPoint.isOwnAddress(new java.net.InetSocketAddress("192.0.2.1", port)), "not this host's");
    }

    @Test
    void aPortInUseIsRefusedNamingTheEntryPointAndTheFix() throws Exception {
        DatagramSocket taken = client();
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> UdpGateway.open(List.of(
                new UdpEntryPointSpec("dns", "127.0.0.1", taken.getLocalPort(), Duration.ofSeconds(3), 10, false))));
        assertEquals("cannot listen on entry point dns (127.0.0.1:" + taken.getLocalPort() + "/udp): address already "
                + "in use; stop what listens there or give the entry point another address "
                + "(--entryPoints.dns.address=:PORT/udp)", e.getMessage());
    }

    @Test
    void aServerThatRefusesEndsItsSessionAndTheClientsNextDatagramGoesToTheNextServer() throws Exception {
        EchoServer dead = echo("dead");
        EchoServer alive = echo("alive");
        UdpGateway gateway = gateway(Duration.ofSeconds(30), 100);
        gateway.apply(routing(service(dead, alive)));
        dead.close();   // its port now answers with ICMP port unreachable
        DatagramSocket client = client();
        client.setSoTimeout(300);
        send(gateway, client, "first");
        assertNull(receiveOrNull(client), "the first server is gone");
        // Each datagram to the gone server draws an ICMP port unreachable, which ends the session. CI once saw the
        // session stay open for 5 s after the one datagram (the kernel's counters showed no ICMP rate limiting here,
        // so the cause is not known): while it is open the client sends again, as a client that got no answer does,
        // each datagram drawing another port unreachable (bounded).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!eventually(() -> gateway.stats("dns").sessions() == 0, Duration.ofSeconds(1))) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until the refused session is closed");
            send(gateway, client, "again and again");
        }
        // An answer to a datagram sent just as the session closed would come from the next server: not the one asked.
        while (receiveOrNull(client) != null) {
            // drained
        }
        client.setSoTimeout(3000);
        assertEquals("alive:again", ask(gateway, client, "again"));
    }

    // --- helpers ---------------------------------------------------------------------------------------------

    private UdpGateway gateway(Duration timeout, int maxSessions) throws IOException {
        UdpGateway gateway = UdpGateway.open(List.of(new UdpEntryPointSpec("dns", "127.0.0.1", 0, timeout,
                maxSessions, false)));
        gateway.start();
        closing.add(gateway::stop);
        return gateway;
    }

    private static Map<String, UdpEntryPointSpec> specs(UdpGateway gateway) {
        return Map.of("dns", new UdpEntryPointSpec("dns", "127.0.0.1", gateway.port("dns"), Duration.ofSeconds(3), 1,
                false));
    }

    private UdpRouting routing(UdpServiceConfig service) {
        UdpDefinitions definitions = new UdpDefinitions(
                Map.of("dns@file", new Defined<>(new UdpRouterConfig(List.of("dns"), "dns"), "test", "file")),
                Map.of("dns@file", new Defined<>(service, "test", "file")));
        UdpRouting routing = UdpRouting.build(definitions, List.of(),
                Map.of("dns", new UdpEntryPointSpec("dns", "127.0.0.1", 0, Duration.ofSeconds(3), 1, false)), List.of());
        assertEquals(List.of(), routing.problems());
        return routing;
    }

    private static UdpServiceConfig service(EchoServer... servers) {
        return lb(servers);
    }

    private static UdpServiceConfig lb(EchoServer... servers) {
        List<UdpServiceConfig.Server> list = new ArrayList<>();
        for (EchoServer server : servers) {
            list.add(new UdpServiceConfig.Server("127.0.0.1:" + server.socket.getLocalPort()));
        }
        return new UdpServiceConfig(new UdpServiceConfig.LoadBalancer(list), null);
    }

    private DatagramSocket client() throws IOException {
        DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        socket.setSoTimeout(3000);
        closing.add(socket);
        return socket;
    }

    private static void send(UdpGateway gateway, DatagramSocket socket, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), gateway.port("dns")));
    }

    /** Sends {@code text} through the gateway and returns the answer, which comes from the entry point's address. */
    private static String ask(UdpGateway gateway, DatagramSocket socket, String text) throws IOException {
        send(gateway, socket, text);
        DatagramPacket answer = new DatagramPacket(new byte[1024], 1024);
        socket.receive(answer);
        assertEquals(gateway.port("dns"), answer.getPort(), "the answer comes from the entry point");
        return new String(answer.getData(), 0, answer.getLength(), StandardCharsets.UTF_8);
    }

    private static String receiveOrNull(DatagramSocket socket) throws IOException {
        DatagramPacket answer = new DatagramPacket(new byte[1024], 1024);
        try {
            socket.receive(answer);
            return new String(answer.getData(), 0, answer.getLength(), StandardCharsets.UTF_8);
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    /** Whether {@code condition} holds within {@code timeout}. */
    private static boolean eventually(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            Thread.sleep(20);
        }
    }

    private EchoServer echo(String name) throws IOException {
        EchoServer server = new EchoServer(name);
        closing.add(server);
        return server;
    }

    /** Answers each datagram with {@code name:payload}. */
    private static final class EchoServer implements AutoCloseable {
        final DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        final Thread thread;

        EchoServer(String name) throws IOException {
            thread = new Thread(() -> {
                byte[] buffer = new byte[2048];
                while (!socket.isClosed()) {
                    try {
                        DatagramPacket in = new DatagramPacket(buffer, buffer.length);
                        socket.receive(in);
                        byte[] out = (name + ":" + new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8))
                                .getBytes(StandardCharsets.UTF_8);
                        socket.send(new DatagramPacket(out, out.length, in.getSocketAddress()));
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "echo-" + name);
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
