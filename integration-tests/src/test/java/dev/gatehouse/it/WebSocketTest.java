package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gatehouse.testkit.TestGateway;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * WebSocket through the gateway: the JDK's WebSocket client, a minimal RFC 6455 echo server on a plain socket,
 * messages both ways, and the connection surviving a reload that does not touch its router (the runtime it
 * started on stays in service until it ends). Long-lived and idle WebSockets: {@link ConnectionsAcrossReloadsTest}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebSocketTest {

    @TempDir
    Path dir;

    @Test
    void messagesFlowBothWaysAndSurviveAReload() throws Exception {
        try (EchoServer echo = new EchoServer(); TestBackend other = TestBackend.echo("other")) {
            String ws = """
                    http:
                      routers:
                        ws:
                          rule: PathPrefix(`/ws`)
                          service: ws
                      services:
                        ws:
                          loadBalancer:
                            servers:
                              - url: http://127.0.0.1:%d
                    """.formatted(echo.port());
            try (TestGateway gateway = Gateways.withDynamic(dir, ws).staticConfig("""
                    entryPoints:
                      web:
                        address: "127.0.0.1:0"
                        transport:
                          lifeCycle:
                            graceTimeOut: 200ms
                    providers:
                      providersThrottleDuration: 100ms
                      file:
                        directory: dynamic
                    """).start()) {
                gateway.awaitReload(0, () -> gateway.routerEnabled("ws@file"), Duration.ofSeconds(10));
                BlockingQueue<String> received = new LinkedBlockingQueue<>();
                WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                        .buildAsync(URI.create("ws://127.0.0.1:" + gateway.port("web") + "/ws/chat"), new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                                received.add(data.toString());
                                webSocket.request(1);
                                return null;
                            }
                        }).get(10, TimeUnit.SECONDS);
                socket.sendText("hello", true).get(5, TimeUnit.SECONDS);
                assertEquals("echo:hello", received.poll(5, TimeUnit.SECONDS));

                long generation = gateway.application().generation();
                gateway.writeDynamic("other.yml", """
                        http:
                          routers:
                            other:
                              rule: PathPrefix(`/other`)
                              service: other
                          services:
                            other:
                              loadBalancer:
                                servers:
                                  - url: %s
                        """.formatted(other.url()));
                gateway.awaitReload(generation, () -> gateway.routerEnabled("other@file"), Duration.ofSeconds(10));
                socket.sendText("after reload", true).get(5, TimeUnit.SECONDS);
                assertEquals("echo:after reload", received.poll(5, TimeUnit.SECONDS));
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
            }
        }
    }

    /** Echoes each text frame as {@code echo:<text>}; one thread per connection. */
    static final class EchoServer implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());

        EchoServer() throws IOException {
            Thread accept = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        Thread connection = new Thread(() -> serve(socket), "ws-echo");
                        connection.setDaemon(true);
                        connection.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "ws-accept");
            accept.setDaemon(true);
            accept.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private static void serve(Socket socket) {
            try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n")) {
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    head.append((char) b);
                }
                String key = null;
                for (String line : head.toString().split("\r\n")) {
                    if (line.toLowerCase().startsWith("sec-websocket-key:")) {
                        key = line.substring(line.indexOf(':') + 1).strip();
                    }
                }
                String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1").digest(
                        (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1)));
                out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                while (true) {
                    int b0 = in.read();
                    int b1 = in.read();
                    if (b0 < 0 || b1 < 0) {
                        return;
                    }
                    int opcode = b0 & 0x0f;
                    long length = b1 & 0x7f;
                    if (length == 126) {
                        length = (in.read() << 8) | in.read();
                    } else if (length == 127) {
                        length = 0;
                        for (int i = 0; i < 8; i++) {
                            length = (length << 8) | in.read();
                        }
                    }
                    byte[] mask = (b1 & 0x80) != 0 ? in.readNBytes(4) : new byte[4];
                    byte[] payload = in.readNBytes((int) length);
                    for (int i = 0; i < payload.length; i++) {
                        payload[i] ^= mask[i % 4];
                    }
                    if (opcode == 8) {
                        out.write(new byte[] {(byte) 0x88, 0});
                        out.flush();
                        return;
                    }
                    if (opcode == 1) {
                        byte[] answer = ("echo:" + new String(payload, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
                        out.write(0x81);
                        out.write(answer.length);   // short test messages: under 126 bytes
                        out.write(answer);
                        out.flush();
                    }
                }
            } catch (Exception e) {
                // the connection ends
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
