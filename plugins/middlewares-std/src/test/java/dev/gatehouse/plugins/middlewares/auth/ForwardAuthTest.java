package dev.gatehouse.plugins.middlewares.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gatehouse.plugins.middlewares.MiddlewareTester;
import dev.gatehouse.plugins.middlewares.TestEnvironment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Traefik's forward_test.go cases against a real authentication server on a loopback port. */
class ForwardAuthTest {

    private final Server authServer = new Server();
    private final AtomicReference<HttpFields> authSaw = new AtomicReference<>();
    private final AtomicReference<String> authMethod = new AtomicReference<>();
    private volatile Handler answer;
    private String address;

    @BeforeEach
    void startAuthServer() throws Exception {
        ServerConnector connector = new ServerConnector(authServer);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        authServer.addConnector(connector);
        authServer.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                authSaw.set(HttpFields.build(request.getHeaders()).asImmutable());
                authMethod.set(request.getMethod());
                return answer.handle(request, response, callback);
            }
        });
        authServer.start();
        address = "http://127.0.0.1:" + connector.getLocalPort() + "/auth/check";
    }

    @AfterEach
    void stop() throws Exception {
        authServer.stop();
    }

    private void answer(int status, String body, String... headers) {
        answer = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.setStatus(status);
                for (int i = 0; i + 1 < headers.length; i += 2) {
                    response.getHeaders().add(headers[i], headers[i + 1]);
                }
                response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        };
    }

    private MiddlewareTester tester(ForwardAuth.Config config) throws Exception {
        return new MiddlewareTester(new ForwardAuth(new TestEnvironment()).create(config, null));
    }

    private ForwardAuth.Config config(List<String> responseHeaders, String regex, List<String> requestHeaders, boolean trust) {
        return new ForwardAuth.Config(address, null, trust, responseHeaders, regex, requestHeaders, null, null);
    }

    @Test
    void successPassesWithAuthResponseHeaders() throws Exception {
        answer(200, "", "X-Auth-User", "alice", "X-Auth-Secret", "secret", "X-Auth-Group", "a", "X-Auth-Group", "b");
        try (MiddlewareTester t = tester(config(List.of("X-Auth-User", "X-Auth-Group"), null, null, false))) {
            HttpTester.Response r = t.get("/app/page?x=1", "Authorization: Bearer t0k", "X-Auth-User: forged");
            assertEquals(200, r.getStatus());
            assertEquals(List.of("alice"), t.seen().headers().getValuesList("X-Auth-User"));
            assertEquals(List.of("a", "b"), t.seen().headers().getValuesList("X-Auth-Group"));
            assertNull(t.seen().header("X-Auth-Secret"));
            HttpFields saw = authSaw.get();
            assertEquals("GET", authMethod.get());
            assertEquals("Bearer t0k", saw.get("Authorization"));
            assertEquals("GET", saw.get("X-Forwarded-Method"));
            assertEquals("http", saw.get("X-Forwarded-Proto"));
            assertEquals("localhost", saw.get("X-Forwarded-Host"));
            assertEquals("/app/page?x=1", saw.get("X-Forwarded-Uri"));
        }
    }

    @Test
    void failureIsReturnedAsItIs() throws Exception {
        answer(401, "go away", "WWW-Authenticate", "Bearer realm=\"x\"", "X-Reason", "expired");
        try (MiddlewareTester t = tester(config(null, null, null, false))) {
            HttpTester.Response r = t.get("/");
            assertEquals(401, r.getStatus());
            assertEquals("go away", r.getContent());
            assertEquals("Bearer realm=\"x\"", r.get("WWW-Authenticate"));
            assertEquals("expired", r.get("X-Reason"));
            assertNull(t.seen());
        }
    }

    @Test
    void redirectsAreNotFollowedAndRelativeLocationsResolveAgainstTheAddress() throws Exception {
        answer(302, "", "Location", "/login?next=1");
        try (MiddlewareTester t = tester(config(null, null, null, false))) {
            HttpTester.Response r = t.get("/");
            assertEquals(302, r.getStatus());
            assertEquals(address.replace("/auth/check", "/login?next=1"), r.get("Location"));
        }
    }

    @Test
    void authRequestHeadersLimitWhatTheServiceSees() throws Exception {
        answer(200, "");
        try (MiddlewareTester t = tester(config(null, null, List.of("X-Keep"), false))) {
            t.get("/", "X-Keep: 1", "X-Drop: 2");
            assertEquals("1", authSaw.get().get("X-Keep"));
            assertNull(authSaw.get().get("X-Drop"));
            assertEquals("/", authSaw.get().get("X-Forwarded-Uri"), "forwarding headers are always sent");
        }
    }

    @Test
    void forwardedHeadersCountOnlyWhenTrustedTwice() throws Exception {
        answer(200, "");
        try (MiddlewareTester t = tester(config(null, null, null, true))) {
            t.get("/", "X-Forwarded-Uri: /original", "X-Forwarded-For: 1.2.3.4");
            assertEquals("/", authSaw.get().get("X-Forwarded-Uri"), "the entry point does not trust this client");
            t.trustForwardedHeaders(true);
            t.get("/", "X-Forwarded-Uri: /original", "X-Forwarded-For: 1.2.3.4");
            assertEquals("/original", authSaw.get().get("X-Forwarded-Uri"));
            assertEquals(true, authSaw.get().get("X-Forwarded-For").startsWith("1.2.3.4, "));
        }
    }

    @Test
    void regexCopiesMatchingHeadersAndCookiesReachTheClient() throws Exception {
        answer(200, "", "X-Auth-User", "alice", "X-Auth-Role", "admin", "Set-Cookie", "session=abc; Path=/", "Set-Cookie", "other=1");
        ForwardAuth.Config config = new ForwardAuth.Config(address, null, false, null, "^X-Auth-", null, List.of("session"), null);
        try (MiddlewareTester t = tester(config)) {
            HttpTester.Response r = t.get("/", "X-Auth-Forged: yes");
            assertEquals("alice", t.seen().header("X-Auth-User"));
            assertEquals("admin", t.seen().header("X-Auth-Role"));
            assertNull(t.seen().header("X-Auth-Forged"));
            assertEquals(List.of("session=abc; Path=/"), r.getValuesList("Set-Cookie"));
        }
    }

    @Test
    void unreachableServiceIs500() throws Exception {
        answer(200, "");
        try (MiddlewareTester t = tester(config(null, null, null, false))) {
            authServer.stop();
            assertEquals(500, t.get("/").getStatus());
        }
    }

    @Test
    void addressIsRequiredAndMustBeHttp() {
        ForwardAuth type = new ForwardAuth(new TestEnvironment());
        assertThrows(IllegalArgumentException.class, () -> type.create(new ForwardAuth.Config(null, null, null, null, null, null, null, null), null));
        assertThrows(IllegalArgumentException.class, () -> type.create(new ForwardAuth.Config("ftp://x", null, null, null, null, null, null, null), null));
    }
}
