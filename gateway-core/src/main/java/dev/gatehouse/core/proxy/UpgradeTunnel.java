package dev.gatehouse.core.proxy;

import dev.gatehouse.core.http.ErrorResponses;
import dev.gatehouse.core.http.FailureLog;
import dev.gatehouse.core.http.Tunnel;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.ClientConnectionFactory;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.Transport;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;

/**
 * HTTP/1.1 protocol upgrades (WebSocket): the request goes to the server on a connection of its own, written
 * as raw HTTP/1.1 with its {@code Upgrade} and {@code Connection} headers; when the server answers 101 the
 * answer goes to the client, both connections are taken over by a byte pump each way, and the gateway no
 * longer parses what passes. Any other answer is passed on and the server connection closed.
 *
 * <p>A tunnel is not an HTTP request: no idle timeout applies to it, neither the entry point's on the client's
 * connection nor the transport's {@code idleConnTimeout} on the server's (as in Traefik), so a WebSocket quiet for
 * minutes stays open until either side closes it. It ends when both connections are closed; the runtime it
 * started on, and so the transport whose connection it uses, stays in service until then ({@link Tunnel}).
 */
final class UpgradeTunnel {

    private static final int BUFFER = 16 * 1024;
    private static final int MAX_HEAD = 32 * 1024;
    /** What {@link ServerSide#whenEnded} holds once the tunnel has ended. */
    private static final Runnable ENDED = () -> { };

    private UpgradeTunnel() {
    }

    /** An HTTP/1.1 request asking to switch protocols. */
    static boolean isUpgrade(Request request) {
        if (request.getConnectionMetaData().getHttpVersion().getVersion() != 11) {
            return false;
        }
        HttpFields headers = request.getHeaders();
        if (!headers.contains(HttpHeader.UPGRADE)) {
            return false;
        }
        return ConnectionHeader.asksForUpgrade(headers);
    }

    static void open(ClientConnector connector, Executor executor, Request clientToProxy, Response proxyToClient,
            Callback callback, UpstreamServer server, String target, HttpFields proxyHeaders) {
        StringBuilder head = new StringBuilder(512);
        head.append(clientToProxy.getMethod()).append(' ').append(target).append(" HTTP/1.1\r\n");
        for (HttpField field : proxyHeaders) {
            head.append(field.getName()).append(": ").append(field.getValue()).append("\r\n");
        }
        head.append("Connection: Upgrade\r\n");
        head.append("Upgrade: ").append(clientToProxy.getHeaders().get(HttpHeader.UPGRADE)).append("\r\n\r\n");
        ByteBuffer request = ByteBuffer.wrap(head.toString().getBytes(StandardCharsets.ISO_8859_1));

        Map<String, Object> context = new HashMap<>();
        context.put(Transport.CONTEXT_KEY, Transport.TCP_IP);
        context.put(ClientConnectionFactory.CONTEXT_KEY, (ClientConnectionFactory) (endPoint, ctx) ->
                new ServerSide(endPoint, executor, request, clientToProxy, proxyToClient, callback));
        context.put(ClientConnector.CONNECTION_PROMISE_CONTEXT_KEY, new Promise<Connection>() {
            @Override
            public void failed(Throwable failure) {
                FailureLog.upstreamFailed(clientToProxy, server.url(), failure);
                ErrorResponses.upstreamFailed(clientToProxy, proxyToClient, callback, failure);
            }
        });
        connector.connect(new InetSocketAddress(server.host(), server.port()), context);
    }

    /** The connection to the server: sends the request, reads the answer's head, then pumps server to client. */
    private static final class ServerSide extends AbstractConnection {
        private final ByteBuffer request;
        private final Request clientToProxy;
        private final Response proxyToClient;
        private final Callback callback;
        private ByteBuffer buffer = BufferUtil.allocate(MAX_HEAD);
        private boolean tunnelling;
        private ClientSide client;
        /** The action to run when this connection closes, which ends the tunnel; {@link #ENDED} once it has. */
        private final AtomicReference<Runnable> whenEnded = new AtomicReference<>();

        ServerSide(EndPoint endPoint, Executor executor, ByteBuffer request, Request clientToProxy,
                Response proxyToClient, Callback callback) {
            super(endPoint, executor);
            this.request = request;
            this.clientToProxy = clientToProxy;
            this.proxyToClient = proxyToClient;
            this.callback = callback;
        }

        @Override
        public void onOpen() {
            super.onOpen();
            getEndPoint().write(Callback.from(this::fillInterested, this::fail), request);
        }

        private void fail(Throwable failure) {
            getEndPoint().close(failure);
            if (!tunnelling) {
                FailureLog.upstreamFailed(clientToProxy, null, failure);
                ErrorResponses.upstreamFailed(clientToProxy, proxyToClient, callback, failure);
            } else if (client != null) {
                client.getEndPoint().close(failure);
            }
        }

        @Override
        public void onFillable() {
            if (tunnelling) {
                pump(getEndPoint(), client.getEndPoint(), buffer, this);
                return;
            }
            try {
                int filled = getEndPoint().fill(buffer);
                if (filled < 0) {
                    fail(new java.io.EOFException("the server closed the connection before answering the upgrade"));
                    return;
                }
                int end = headEnd(buffer);
                if (end < 0) {
                    if (buffer.remaining() >= MAX_HEAD) {
                        fail(new IllegalStateException("the server's answer head is too large"));
                    } else {
                        fillInterested();
                    }
                    return;
                }
                answer(end);
            } catch (Throwable x) {
                fail(x);
            }
        }

        private void answer(int end) {
            byte[] headBytes = new byte[end];
            buffer.get(headBytes);
            String[] lines = new String(headBytes, StandardCharsets.ISO_8859_1).split("\r\n");
            String[] status = lines[0].split(" ", 3);
            int code = Integer.parseInt(status[1]);
            HttpFields.Mutable headers = proxyToClient.getHeaders();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = lines[i].substring(0, colon).strip();
                String value = lines[i].substring(colon + 1).strip();
                String lower = name.toLowerCase(Locale.ROOT);
                if (lower.equals("transfer-encoding") || lower.equals("keep-alive")
                        || (code != 101 && (lower.equals("connection") || lower.equals("upgrade")))) {
                    continue;
                }
                headers.add(name, value);
            }
            proxyToClient.setStatus(code);
            if (code != 101) {
                // Refused: pass the answer on with what came of its body, and close.
                ByteBuffer rest = BufferUtil.copy(buffer);
                getEndPoint().close();
                headers.remove(HttpHeader.CONTENT_LENGTH);
                headers.put(HttpHeader.CONTENT_LENGTH, rest.remaining());
                proxyToClient.write(true, rest, callback);
                return;
            }
            // Bytes the server sent after its head go to the client first, once it is ours.
            tunnelling = true;
            EndPoint clientEndPoint = clientToProxy.getConnectionMetaData().getConnection().getEndPoint();
            client = new ClientSide(clientEndPoint, getExecutor(), this, BufferUtil.copy(buffer));
            BufferUtil.clear(buffer);
            buffer = BufferUtil.allocate(BUFFER);
            clientToProxy.setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE, client);
            callback.succeeded();
        }

        private static int headEnd(ByteBuffer buffer) {
            for (int i = buffer.position(); i + 3 < buffer.limit(); i++) {
                if (buffer.get(i) == '\r' && buffer.get(i + 1) == '\n' && buffer.get(i + 2) == '\r'
                        && buffer.get(i + 3) == '\n') {
                    return i + 4 - buffer.position();
                }
            }
            return -1;
        }

        @Override
        public void onClose(Throwable cause) {
            super.onClose(cause);
            if (client != null) {
                client.getEndPoint().shutdownOutput();
            }
            // The server's connection closes in every case: after its pump ended, when the client's closed (see
            // ClientSide.onClose), on a failure, or at its idle timeout when the client never took the upgrade.
            Runnable ended = whenEnded.getAndSet(ENDED);
            if (ended != null) {
                ended.run();
            }
        }

        void whenEnded(Runnable ended) {
            if (!whenEnded.compareAndSet(null, ended)) {
                ended.run();   // ended already
            }
        }
    }

    /** The client's connection once upgraded: pumps client to server. */
    private static final class ClientSide extends AbstractConnection implements Connection.UpgradeTo, Tunnel {
        private final ServerSide server;
        private final ByteBuffer fromServer;
        private final ByteBuffer buffer = BufferUtil.allocate(BUFFER);

        ClientSide(EndPoint endPoint, Executor executor, ServerSide server, ByteBuffer fromServer) {
            super(endPoint, executor);
            this.server = server;
            this.fromServer = fromServer;
        }

        @Override
        public void onUpgradeTo(ByteBuffer prefilled) {
            if (BufferUtil.hasContent(prefilled)) {
                BufferUtil.append(buffer, prefilled);
            }
        }

        @Override
        public void whenEnded(Runnable ended) {
            server.whenEnded(ended);
        }

        @Override
        public void onOpen() {
            super.onOpen();
            // A tunnel has no idle timeout (the client's connection had the entry point's, the server's the
            // transport's idleConnTimeout): it lasts until either side closes it. Set here, once the client's
            // connection is ours; until then the server's keeps its timeout, which closes it if the upgrade fails.
            getEndPoint().setIdleTimeout(0);
            server.getEndPoint().setIdleTimeout(0);
            Runnable start = () -> {
                server.fillInterested();
                if (BufferUtil.hasContent(buffer)) {
                    server.getEndPoint().write(Callback.from(() -> {
                        BufferUtil.clear(buffer);
                        fillInterested();
                    }, this::close), buffer);
                } else {
                    fillInterested();
                }
            };
            if (BufferUtil.hasContent(fromServer)) {
                getEndPoint().write(Callback.from(start, this::close), fromServer);
            } else {
                start.run();
            }
        }

        private void close(Throwable failure) {
            getEndPoint().close(failure);
            server.getEndPoint().close(failure);
        }

        @Override
        public void onFillable() {
            pump(getEndPoint(), server.getEndPoint(), buffer, this);
        }

        @Override
        public boolean onIdleExpired(TimeoutException timeout) {
            return false;   // never idle out (over TLS the network connection below may still ask)
        }

        @Override
        public void onClose(Throwable cause) {
            super.onClose(cause);
            // Both ways are done with the client (an orderly end has sent everything it read to the server first):
            // nothing the server sends can be delivered any more, so its connection is closed too, which ends the
            // tunnel even if the server would keep a half-closed connection open.
            server.getEndPoint().close(cause);
        }
    }

    /** Moves what {@code from} has to {@code to}; asks for more once it is written. Never blocks. */
    private static void pump(EndPoint from, EndPoint to, ByteBuffer buffer, AbstractConnection reader) {
        try {
            BufferUtil.clear(buffer);
            int filled = from.fill(buffer);
            if (filled > 0) {
                to.write(Callback.from(() -> reader.fillInterested(), failure -> {
                    from.close(failure);
                    to.close(failure);
                }), buffer);
            } else if (filled == 0) {
                reader.fillInterested();
            } else {
                to.shutdownOutput();
                if (to.isInputShutdown()) {
                    to.close();
                    from.close();
                }
            }
        } catch (Throwable x) {
            from.close(x);
            to.close(x);
        }
    }
}
