package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idle keep-alive connections cost the gateway little memory, whoever opens them. Jetty's HTTP/1 parser, left at its
 * default, builds a cache of header fields on a connection's second request, about 100 KB of heap kept as long as
 * the connection is open: 2,000 connections that had each sent two requests filled a 128 MiB heap, and the gateway
 * stopped answering everyone. Against a gateway in a process of its own, with that heap.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IdleConnectionsMemoryTest {

    private static final int CONNECTIONS = 2_000;

    @TempDir
    Path dir;

    @Test
    void twoThousandIdleKeepAliveConnectionsDoNotExhaustTheHeap() throws Exception {
        int port = Gateways.freePort();
        Path config = dir.resolve("gatehouse.yml");
        Files.writeString(config, """
                entryPoints:
                  web:
                    address: "127.0.0.1:%d"
                ping:
                  entryPoint: web
                """.formatted(port));
        String ping = "http://127.0.0.1:" + port + "/ping";
        List<Socket> idle = new ArrayList<>();
        try (GatewayProcess gateway = GatewayProcess.start(dir, config, Gateways.BUNDLED_PLUGINS, ping)) {
            try {
                for (int i = 0; i < CONNECTIONS; i++) {
                    Socket socket = new Socket();
                    idle.add(socket);
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                    socket.setSoTimeout(10_000);
                    // Two requests with the headers browsers repeat on every request, then the connection stays open.
                    String request = "GET /ping HTTP/1.1\r\nHost: app.example.com\r\nUser-Agent: Mozilla/5.0 (X11; "
                            + "Linux x86_64) test/" + i + "\r\nAccept: text/html\r\nAccept-Language: en\r\n"
                            + "Cookie: session=" + i + "\r\n\r\n";
                    socket.getOutputStream().write((request + request).getBytes(StandardCharsets.US_ASCII));
                    if (!readsTwoAnswers(socket.getInputStream())) {
                        break;   // the gateway stopped answering: asserted below with its output
                    }
                }
                assertTrue(gateway.isAlive(), "the gateway exited:\n" + gateway.output());
                assertEquals(200, Http.status(ping), "a new client after " + idle.size() + " idle connections:\n"
                        + gateway.output());
                assertFalse(gateway.output().contains("OutOfMemoryError"), gateway.output());
            } finally {
                for (Socket socket : idle) {
                    socket.close();
                }
            }
        }
    }

    /** Whether two complete answers to /ping (each ending in its body "OK") arrive on the connection. */
    private static boolean readsTwoAnswers(InputStream in) {
        StringBuilder answers = new StringBuilder();
        byte[] buffer = new byte[4096];
        try {
            while (answers.toString().split("\r\n\r\nOK", -1).length - 1 < 2) {
                int n = in.read(buffer);
                if (n < 0) {
                    return false;
                }
                answers.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
