package dev.gatehouse.core;

import dev.gatehouse.core.config.ConfigurationException;
import dev.gatehouse.core.config.LoadedConfiguration;
import dev.gatehouse.core.server.ListenerSpec;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * {@code gatehouse healthcheck}: asks the running gateway's {@code /ping}, as a container health check does
 * (Traefik's {@code healthcheck} command). Reads the same static configuration to find the ping entry point.
 */
public final class HealthcheckCommand {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private HealthcheckCommand() {
    }

    /** @return 0 when {@code /ping} answered 200, 1 otherwise */
    public static int run(LoadedConfiguration loaded, PrintStream out) {
        if (loaded.configuration().ping() == null) {
            out.println("gatehouse healthcheck: ping is not enabled in the static configuration (add ping: {})");
            return 1;
        }
        EntryPointPlan plan;
        try {
            plan = EntryPointPlan.from(loaded.configuration());
        } catch (ConfigurationException e) {
            out.println("gatehouse healthcheck: " + String.join("; ", e.problems()));
            return 1;
        }
        if (plan.pingIndex < 0) {
            out.println("gatehouse healthcheck: ping is routed manually (ping.manualRouting); nothing to ask");
            return 1;
        }
        ListenerSpec listener = plan.listeners.get(plan.pingIndex);
        String host = listener.host() == null || listener.host().isEmpty() || "0.0.0.0".equals(listener.host())
                ? "127.0.0.1" : listener.host();
        if ("::".equals(host)) {
            host = "::1";
        }
        URI uri = URI.create("http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + listener.port() + "/ping");
        try {
            HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(TIMEOUT).build()
                    .send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                out.println("OK: " + uri + " answered 200");
                return 0;
            }
            out.println("gatehouse healthcheck: " + uri + " answered " + response.statusCode());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.println("gatehouse healthcheck: interrupted");
            return 1;
        } catch (Exception e) {
            out.println("gatehouse healthcheck: " + uri + " did not answer: " + failure(e));
            return 1;
        }
    }

    /** Why the request failed, in words: the Java exception's class name means nothing to an operator. */
    private static String failure(Exception e) {
        if (e instanceof HttpTimeoutException) {
            return "no answer within " + TIMEOUT.toSeconds() + " s";
        }
        if (e instanceof ConnectException) {
            return "connection refused (is the gateway running, with this configuration?)";
        }
        return e.getMessage() == null || e.getMessage().isBlank() ? "the connection failed" : e.getMessage();
    }
}
