package dev.gatehouse.plugins.middlewares.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.plugins.middlewares.MiddlewareTester;
import dev.gatehouse.plugins.middlewares.TestEnvironment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** basicAuth against hashes written by Debian's htpasswd (src/test/resources/htpasswd/README.md says how). */
class BasicAuthTest {

    static Path usersFile() throws Exception {
        return Path.of(BasicAuthTest.class.getResource("/htpasswd/users.htpasswd").toURI());
    }

    static String basic(String user, String password) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static MiddlewareTester tester(BasicAuth.Config config) throws Exception {
        return new MiddlewareTester(new BasicAuth(new TestEnvironment()).create(config, null));
    }

    @ParameterizedTest(name = "{0} / {1} -> {2}")
    @CsvSource(delimiter = ';', value = {
        "bcrypt-user;  bcrypt-pass;          200",
        "bcrypt-user;  bcrypt-pasS;          401",
        "apr1-user;    apr1-pass;            200",
        "apr1-user;    apr1-pas;             401",
        "sha-user;     sha-pass;             200",
        "sha-user;     'sha-pass ';          401",
        "unicode-user; pässwörd:with colon;  200",
        "nobody;       bcrypt-pass;          401",
        "'';           '';                   401",
    })
    void htpasswdHashes(String user, String password, int status) throws Exception {
        try (MiddlewareTester t = tester(new BasicAuth.Config(null, usersFile().toString(), null, null, null))) {
            HttpTester.Response r = t.get("/", basic(user, password));
            assertEquals(status, r.getStatus());
            if (status == 401) {
                assertEquals("Basic realm=\"traefik\"", r.get("WWW-Authenticate"));
                assertNull(t.seen());
            } else {
                assertTrue(t.seen().header("Authorization").startsWith("Basic "), "kept unless removeHeader");
            }
        }
    }

    @Test
    void noCredentialsOrMalformedOnesGet401WithTheRealm() throws Exception {
        try (MiddlewareTester t = tester(new BasicAuth.Config(null, usersFile().toString(), "my \"realm\"", null, null))) {
            HttpTester.Response r = t.get("/");
            assertEquals(401, r.getStatus());
            assertEquals("Basic realm=\"my \\\"realm\\\"\"", r.get("WWW-Authenticate"));
            assertEquals(401, t.get("/", "Authorization: Basic !!!").getStatus());
            assertEquals(401, t.get("/", "Authorization: Bearer abc").getStatus());
        }
    }

    /**
     * A bcrypt or Apache MD5 check takes long (bcrypt tens of milliseconds): the handler says it blocks, so the gateway
     * runs its routers' requests on a pool thread rather than on the selector thread that other connections wait on.
     * Users with {SHA} hashes alone are checked at once: their handler is as non-blocking as what follows it.
     */
    @Test
    void slowHashesMakeTheHandlerBlocking() throws Exception {
        List<String> lines = Files.readAllLines(usersFile());
        for (String user : List.of("bcrypt-user", "apr1-user", "sha-user")) {
            String line = lines.stream().filter(l -> l.startsWith(user + ":")).findFirst().orElseThrow();
            Handler.Wrapper handler = new BasicAuth(new TestEnvironment())
                    .create(new BasicAuth.Config(List.of(line), null, null, null, null), null);
            handler.setHandler(new Handler.Abstract.NonBlocking() {
                @Override
                public boolean handle(Request request, Response response, Callback callback) {
                    callback.succeeded();
                    return true;
                }
            });
            assertEquals(user.equals("sha-user") ? InvocationType.NON_BLOCKING : InvocationType.BLOCKING,
                    handler.getInvocationType(), user);
        }
    }

    @Test
    void bcryptVersions2aAnd2bAreAccepted() throws Exception {
        String y = Files.readAllLines(usersFile()).get(0).split(":", 2)[1];
        for (String version : List.of("$2a$", "$2b$")) {
            String hash = version + y.substring(4);
            try (MiddlewareTester t = tester(new BasicAuth.Config(List.of("u:" + hash), null, null, null, null))) {
                assertEquals(200, t.get("/", basic("u", "bcrypt-pass")).getStatus(), version);
            }
        }
    }

    @Test
    void headerFieldAndRemoveHeader() throws Exception {
        try (MiddlewareTester t = tester(new BasicAuth.Config(List.of(Files.readAllLines(usersFile()).get(2)), null, null, true,
                "X-WebAuth-User"))) {
            t.get("/", basic("sha-user", "sha-pass"), "X-WebAuth-User: forged");
            assertEquals("sha-user", t.seen().header("X-WebAuth-User"));
            assertNull(t.seen().header("Authorization"));
        }
    }

    private static String sha(String user, String password) throws Exception {
        return user + ":{SHA}" + Base64.getEncoder().encodeToString(
                java.security.MessageDigest.getInstance("SHA-1").digest(password.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Traefik's TestBasicAuthUsersFromFile: the file's users and {@code users} are merged, and a user in both takes
     * the password from {@code users}. Columns: file users (user=password, |); given users (same); user; password;
     * expected status.
     */
    @ParameterizedTest(name = "{0}: {3}/{4}")
    @CsvSource(delimiter = ';', value = {
        "Finds the users in the file;                    test=test|test2=test2;  '';                            test2; test2;      200",
        "Merges given users with users from the file;    test=test;              test2=test2|test3=test3;       test;  test;       200",
        "Merges given users with users from the file;    test=test;              test2=test2|test3=test3;       test3; test3;      200",
        "Given users have priority over users in the file; test=test|test2=test2; test2=overridden;             test2; overridden; 200",
        "Given users have priority over users in the file; test=test|test2=test2; test2=overridden;             test2; test2;      401",
    })
    void usersFromFileAndGivenUsers(String desc, String fileUsers, String givenUsers, String user, String password,
            int status, @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = dir.resolve("users");
        StringBuilder lines = new StringBuilder("#Comment\n");
        for (String pair : fileUsers.split("\\|")) {
            String[] up = pair.split("=");
            lines.append(sha(up[0], up[1])).append('\n');
        }
        Files.writeString(file, lines);
        List<String> given = new java.util.ArrayList<>();
        for (String pair : givenUsers.isEmpty() ? new String[0] : givenUsers.split("\\|")) {
            String[] up = pair.split("=");
            given.add(sha(up[0], up[1]));
        }
        try (MiddlewareTester t = tester(new BasicAuth.Config(given, file.toString(), null, null, null))) {
            assertEquals(status, t.get("/", basic(user, password)).getStatus(), desc);
        }
    }

    /** Traefik loads a user whose password is not an htpasswd hash and never lets that user in. */
    @Test
    void plainTextPasswordIsLoadedAndNeverMatches() throws Exception {
        try (MiddlewareTester t = tester(new BasicAuth.Config(List.of("plain:secret", sha("hashed", "pass")), null, null,
                null, null))) {
            assertEquals(401, t.get("/", basic("plain", "secret")).getStatus(), "plain text is not a password");
            assertNull(t.seen());
            assertEquals(200, t.get("/", basic("hashed", "pass")).getStatus(), "the other users still work");
        }
        try (MiddlewareTester t = tester(new BasicAuth.Config(List.of("plain:secret"), null, null, null, null))) {
            assertEquals(401, t.get("/", basic("plain", "secret")).getStatus(), "also when it is the only user");
        }
        List<String> warnings = new BasicAuth(new TestEnvironment()).deprecations(
                new BasicAuth.Config(List.of("plain:secret", sha("hashed", "pass")), null, null, null, null));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("'plain'") && !warnings.get(0).contains("secret"), "names the user, never the password");
    }

    @Test
    void invalidConfigurationsAreRejected() {
        BasicAuth auth = new BasicAuth(new TestEnvironment());
        IllegalArgumentException malformed = assertThrows(IllegalArgumentException.class,
                () -> auth.create(new BasicAuth.Config(List.of("user-without-hash:"), null, null, null, null), null));
        assertTrue(malformed.getMessage().contains("name:hash"), malformed.getMessage());
        assertThrows(IllegalArgumentException.class, () -> auth.create(new BasicAuth.Config(List.of(), null, null, null, null), null));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> auth.create(new BasicAuth.Config(null, "/no/such/file", null, null, null), null));
        assertTrue(missing.getMessage().contains("usersFile"));
    }

    @Test
    void md5CryptMatchesKnownVectors() {
        // Vectors from `openssl passwd -1 -salt saltstri password` and `openssl passwd -apr1 -salt abcdefgh ''`.
        assertTrue(Htpasswd.matches("password", "$1$saltstri$qQY4WxjABChYG1ccLpfkz/"));
        assertTrue(Htpasswd.matches("", "$apr1$abcdefgh$L.PT565ESX4Tp2bqNs7Ie."));
        assertTrue(Htpasswd.matches("apr1-pass", "$apr1$uqx4Dtbh$IE/SrZVcD3TkwMhkAsRBk0"));
    }
}
