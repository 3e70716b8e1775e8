package dev.gatehouse.plugins.acme.dns;

import dev.gatehouse.api.FailureReasons;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.shredzone.acme4j.toolbox.JSONBuilder;

/**
 * {@code provider: httpreq}: asks an HTTP endpoint to add and remove the record, as lego does: {@code POST
 * <HTTPREQ_ENDPOINT>/present} and {@code /cleanup} with {@code {"fqdn":"_acme-challenge.example.com.","value":"..."}},
 * or with {@code HTTPREQ_MODE=RAW} {@code {"domain":"example.com","token":"...","keyAuth":"..."}}; basic
 * authentication when {@code HTTPREQ_USERNAME} and {@code HTTPREQ_PASSWORD} are both set. A status of 400 or more
 * fails the challenge. Timing: {@code HTTPREQ_PROPAGATION_TIMEOUT} (60 s), {@code HTTPREQ_POLLING_INTERVAL} (2 s),
 * {@code HTTPREQ_HTTP_TIMEOUT} (30 s).
 */
final class HttpReqProvider implements DnsProvider {

    static final String NAME = "httpreq";

    private final URI endpoint;
    private final boolean raw;
    private final String authorization;
    private final Duration httpTimeout;
    private final Timing timing;
    private final HttpClient client;

    HttpReqProvider(LegoEnvironment env) {
        String url = env.require("HTTPREQ_ENDPOINT", NAME);
        try {
            this.endpoint = URI.create(url.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("HTTPREQ_ENDPOINT '" + url + "' is not a URL: " + e.getMessage());
        }
        if (endpoint.getScheme() == null || !endpoint.getScheme().matches("https?") || endpoint.getHost() == null) {
            throw new IllegalArgumentException("HTTPREQ_ENDPOINT '" + url + "' is not an http:// or https:// URL");
        }
        this.raw = "RAW".equals(env.get("HTTPREQ_MODE"));
        String username = env.get("HTTPREQ_USERNAME");
        String password = env.get("HTTPREQ_PASSWORD");
        this.authorization = username != null && !username.isEmpty() && password != null && !password.isEmpty()
                ? "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8))
                : null;
        this.httpTimeout = env.seconds("HTTPREQ_HTTP_TIMEOUT", Duration.ofSeconds(30));
        this.timing = Timing.read(env, "HTTPREQ_", false);
        this.client = HttpClient.newBuilder().connectTimeout(httpTimeout).build();
    }

    @Override
    public void present(ChallengeRecord record) throws IOException, InterruptedException {
        post("present", record);
    }

    @Override
    public void cleanup(ChallengeRecord record) throws IOException, InterruptedException {
        post("cleanup", record);
    }

    private void post(String action, ChallengeRecord record) throws IOException, InterruptedException {
        JSONBuilder body = raw
                ? new JSONBuilder().put("domain", record.domain()).put("token", record.token())
                        .put("keyAuth", record.keyAuthorization())
                : new JSONBuilder().put("fqdn", record.fqdn()).put("value", record.value());
        String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
        URI target = endpoint.resolve((path.endsWith("/") ? path : path + "/") + action);
        HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(httpTimeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString() + "\n", StandardCharsets.UTF_8));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new DnsChallengeException("httpreq: POST " + target + " failed: "
                    + FailureReasons.of(e), e);
        }
        if (response.statusCode() >= 400) {
            String answer = response.body().strip();
            throw new DnsChallengeException("httpreq: POST " + target + " for " + record.domain() + " answered "
                    + response.statusCode() + (answer.isEmpty() ? "" : ": " + abbreviate(answer)));
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    @Override
    public Timing timing() {
        return timing;
    }
}
