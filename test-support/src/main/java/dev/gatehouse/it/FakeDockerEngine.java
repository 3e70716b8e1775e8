package dev.gatehouse.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Docker API on tcp://127.0.0.1:port for what a real engine here cannot be made to do (answer 500), and for
 * label sets checked without an engine. Serves version, container list, inspect and an event stream that the test
 * can feed or cut.
 */
public final class FakeDockerEngine implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, String> inspects = new LinkedHashMap<>();   // id -> inspect JSON
    private final Map<String, String> listings = new LinkedHashMap<>();   // id -> its entry in the container list
    private final List<OutputStream> streams = new CopyOnWriteArrayList<>();
    private volatile int listStatus = 200;
    private final AtomicInteger failedLists = new AtomicInteger();
    private final AtomicInteger eventStreamsOpened = new AtomicInteger();

    public FakeDockerEngine() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-docker");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    public String endpoint() {
        return "tcp://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Adds or replaces a running container with a label set and one address on network {@code net}. */
    public synchronized void container(String id, String name, Map<String, String> labels, String ip, int port) {
        container(id, name, labels, ip, port, null);
    }

    /** The same with a health check in state {@code health} ({@code healthy}, {@code starting}...); null for none. */
    public synchronized void container(String id, String name, Map<String, String> labels, String ip, int port, String health) {
        StringBuilder l = new StringBuilder();
        labels.forEach((k, v) -> l.append(l.length() == 0 ? "" : ",").append(json(k)).append(':').append(json(v)));
        inspects.put(id, """
                {"Id":%s,"Name":%s,"Config":{"Labels":{%s}},"State":{"Running":true,"Paused":false%s},
                 "HostConfig":{"NetworkMode":"net"},
                 "NetworkSettings":{"Networks":{"net":{"IPAddress":%s}},"Ports":{"%d/tcp":null}}}
                """.formatted(json(id), json("/" + name), l,
                health == null ? "" : ",\"Health\":{\"Status\":" + json(health) + "}", json(ip), port));
        listings.put(id, """
                {"Id":%s,"Names":[%s],"Labels":{%s},"State":"running","Status":%s,
                 "HostConfig":{"NetworkMode":"net"},"NetworkSettings":{"Networks":{"net":{"IPAddress":%s}}},
                 "Ports":[{"PrivatePort":%d,"Type":"tcp"}]}
                """.formatted(json(id), json("/" + name), l,
                json("Up 1 second" + (health == null ? "" : health.equals("starting") ? " (health: starting)" : " (" + health + ")")),
                json(ip), port));
    }

    public synchronized void remove(String id) {
        inspects.remove(id);
        listings.remove(id);
    }

    /** Status of the container list from now on: 500 plays an engine in trouble. */
    public void listStatus(int status) {
        listStatus = status;
    }

    /** How many container lists were answered with an error status (see {@link #listStatus}): the provider's attempts. */
    public int failedLists() {
        return failedLists.get();
    }

    /** How many event streams were opened since the engine started: a provider that watches opens one. */
    public int eventStreamsOpened() {
        return eventStreamsOpened.get();
    }

    /** Sends an event on every open stream. */
    public void event(String action, String id) {
        byte[] line = ("{\"Type\":\"container\",\"Action\":\"" + action + "\",\"id\":\"" + id + "\",\"Actor\":{\"ID\":\""
                + id + "\"}}\n").getBytes(StandardCharsets.UTF_8);
        for (OutputStream out : streams) {
            try {
                out.write(line);
                out.flush();
            } catch (IOException e) {
                streams.remove(out);
            }
        }
    }

    /** Ends every open event stream, as an engine going away does. */
    public void cutStreams() {
        for (OutputStream out : streams) {
            try {
                out.close();
            } catch (IOException e) {
                // already gone
            }
        }
        streams.clear();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (path.endsWith("/events")) {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().flush();
            streams.add(exchange.getResponseBody());
            eventStreamsOpened.incrementAndGet();
            return;   // stays open until cut
        }
        String body;
        int status = 200;
        synchronized (this) {
            if (path.endsWith("/version")) {
                body = "{\"Version\":\"99.0-fake\",\"ApiVersion\":\"1.41\"}";
            } else if (path.endsWith("/containers/json")) {
                status = listStatus;
                List<String> items = new ArrayList<>();
                items.addAll(listings.values());
                body = status == 200 ? "[" + String.join(",", items) + "]" : "{\"message\":\"engine in trouble\"}";
                if (status != 200) {
                    failedLists.incrementAndGet();
                }
            } else if (path.matches(".*/containers/[^/]+/json")) {
                String id = path.replaceAll(".*/containers/([^/]+)/json", "$1");
                body = inspects.get(id);
                if (body == null) {
                    status = 404;
                    body = "{\"message\":\"No such container: " + id + "\"}";
                }
            } else {
                status = 404;
                body = "{\"message\":\"not faked: " + path + "\"}";
            }
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Override
    public void close() {
        cutStreams();
        server.stop(0);
    }
}
