package dev.gatehouse.plugins.middlewares.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.plugins.middlewares.MiddlewareTester;
import dev.gatehouse.plugins.middlewares.TestEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpTester;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** digestAuth with an RFC 2617 client computed here, as a browser does. */
class DigestAuthTest {

    /** htdigest's line for alice / secret in realm traefik: HA1 = md5("alice:traefik:secret") (printf ... | md5sum). */
    static final String ALICE = "alice:traefik:e66182e4199fd90e2499700ddd5c3e17";

    private static String authorization(Map<String, String> challenge, String user, String password, String method, String uri,
            String nc) {
        String realm = challenge.get("realm");
        String ha1 = DigestAuth.md5(user + ":" + realm + ":" + password);
        String ha2 = DigestAuth.md5(method + ":" + uri);
        String cnonce = "0a4f113b";
        String response = DigestAuth.md5(ha1 + ":" + challenge.get("nonce") + ":" + nc + ":" + cnonce + ":auth:" + ha2);
        return "Authorization: Digest username=\"" + user + "\", realm=\"" + realm + "\", nonce=\"" + challenge.get("nonce")
                + "\", uri=\"" + uri + "\", qop=auth, nc=" + nc + ", cnonce=\"" + cnonce + "\", response=\"" + response
                + "\", opaque=\"" + challenge.get("opaque") + "\"";
    }

    private static Map<String, String> challenge(HttpTester.Response r) {
        assertEquals(401, r.getStatus());
        return DigestAuth.parse(r.get("WWW-Authenticate"));
    }

    @Test
    void challengeThenAuthenticatedThenReplayRefused() throws Exception {
        try (MiddlewareTester t = new MiddlewareTester(new DigestAuth(new TestEnvironment()).create(
                new DigestAuth.Config(List.of(ALICE), null, null, true, "X-User"), null))) {
            Map<String, String> challenge = challenge(t.get("/dir/index.html?x=1"));
            assertEquals("traefik", challenge.get("realm"));
            assertEquals("auth", challenge.get("qop"));
            assertEquals("MD5", challenge.get("algorithm"));

            String good = authorization(challenge, "alice", "secret", "GET", "/dir/index.html?x=1", "00000001");
            HttpTester.Response ok = t.get("/dir/index.html?x=1", good);
            assertEquals(200, ok.getStatus());
            assertEquals("alice", t.seen().header("X-User"));
            assertNull(t.seen().header("Authorization"));

            assertEquals(401, t.get("/dir/index.html?x=1", good).getStatus(), "the same nc again is a replay");
            String next = authorization(challenge, "alice", "secret", "GET", "/dir/index.html?x=1", "00000002");
            assertEquals(200, t.get("/dir/index.html?x=1", next).getStatus());

            assertEquals(401, t.get("/dir/index.html?x=1",
                    authorization(challenge, "alice", "wrong", "GET", "/dir/index.html?x=1", "00000003")).getStatus());
            assertEquals(401, t.get("/other",
                    authorization(challenge, "alice", "secret", "GET", "/dir/index.html?x=1", "00000004")).getStatus(),
                    "the uri must be the request's");
            assertEquals(401, t.get("/x", authorization(challenge, "bob", "secret", "GET", "/x", "00000005")).getStatus());
        }
    }

    /** Traefik's getUsers (shared with basicAuth): the file's users, then users; a user in both takes users' line. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"secret, 401", "overridden, 200"})
    void givenUsersHavePriorityOverUsersInTheFile(String password, int status, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("users");
        Files.writeString(file, "#Comment\n" + ALICE + "\n");
        String overridden = "alice:traefik:" + DigestAuth.md5("alice:traefik:overridden");
        try (MiddlewareTester t = new MiddlewareTester(new DigestAuth(new TestEnvironment()).create(
                new DigestAuth.Config(List.of(overridden), file.toString(), null, null, null), null))) {
            Map<String, String> challenge = challenge(t.get("/"));
            assertEquals(status, t.get("/", authorization(challenge, "alice", password, "GET", "/", "00000001")).getStatus());
        }
    }

    @Test
    void unknownNonceGetsAStaleChallenge() throws Exception {
        try (MiddlewareTester t = new MiddlewareTester(new DigestAuth(new TestEnvironment()).create(
                new DigestAuth.Config(List.of(ALICE), null, null, null, null), null))) {
            Map<String, String> challenge = challenge(t.get("/"));
            Map<String, String> forged = new java.util.HashMap<>(challenge);
            forged.put("nonce", "ffffffffffffffffffffffffffffffff");
            HttpTester.Response r = t.get("/", authorization(forged, "alice", "secret", "GET", "/", "00000001"));
            assertEquals(401, r.getStatus());
            assertTrue(r.get("WWW-Authenticate").contains("stale=true"));
            assertFalse(challenge.get("nonce").equals(DigestAuth.parse(r.get("WWW-Authenticate")).get("nonce")));
        }
    }

    @Test
    void usersMustBeHtdigestLines() {
        DigestAuth type = new DigestAuth(new TestEnvironment());
        assertThrows(IllegalArgumentException.class, () -> type.create(new DigestAuth.Config(List.of("alice:secret"), null, null, null, null), null));
        assertThrows(IllegalArgumentException.class, () -> type.create(new DigestAuth.Config(null, null, null, null, null), null));
    }
}
