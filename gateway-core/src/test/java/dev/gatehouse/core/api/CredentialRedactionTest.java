package dev.gatehouse.core.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class CredentialRedactionTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "basicAuth  | alice:$2y$05$LxSuKX8LmbGE                 | alice:<redacted>",
            "basicauth  | bob:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=      | bob:<redacted>",
            "basicAuth  | no-colon                                  | <redacted>",
            "digestAuth | alice:traefik:e66182e4199fd90e2499700ddd5c | alice:traefik:<redacted>",
            "digestAuth | alice:only-two                            | <redacted>",
    })
    void hidesTheHashKeepsTheUser(String type, String user, String shown) {
        assertEquals(Map.of("users", List.of(shown), "realm", "r"),
                CredentialRedaction.middlewareOptions(type, Map.of("users", List.of(user), "realm", "r")));
    }

    @Test
    void labelsGiveUsersAsOneCommaSeparatedString() {
        assertEquals(Map.of("users", "a:<redacted>,b:<redacted>"),
                CredentialRedaction.middlewareOptions("basicAuth", Map.of("users", "a:$apr1$x$y, b:$apr1$z$w")));
    }

    @Test
    void anInlineForwardAuthKeyIsHiddenAndAPathShown() {
        Map<String, Object> inline = Map.of("address", "https://auth", "tls",
                Map.of("cert", "/etc/cert.pem", "key", "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----"));
        assertEquals(Map.of("address", "https://auth", "tls", Map.of("cert", "/etc/cert.pem", "key", "<redacted>")),
                CredentialRedaction.middlewareOptions("forwardAuth", inline));
        Map<String, Object> path = Map.of("address", "https://auth", "tls", Map.of("key", "/etc/key.pem"));
        assertSame(path, CredentialRedaction.middlewareOptions("forwardAuth", path));
    }

    @Test
    void theRedisPasswordOfARateLimitAndAnInlineKeyAreHidden() {
        Map<String, Object> options = Map.of("average", 100, "redis", Map.of("endpoints", List.of("redis:6379"),
                "username", "limiter", "password", "s3cret",
                "tls", Map.of("key", "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----")));
        assertEquals(Map.of("average", 100, "redis", Map.of("endpoints", List.of("redis:6379"), "username", "limiter",
                "password", "<redacted>", "tls", Map.of("key", "<redacted>"))),
                CredentialRedaction.middlewareOptions("rateLimit", options));
        Map<String, Object> noPassword = Map.of("average", 100, "redis", Map.of("endpoints", List.of("redis:6379")));
        assertSame(noPassword, CredentialRedaction.middlewareOptions("rateLimit", noPassword));
    }

    @Test
    void otherMiddlewaresAreShownAsTheyAre() {
        Map<String, Object> options = Map.of("users", List.of("not:a-credential"));
        assertSame(options, CredentialRedaction.middlewareOptions("headers", options));
    }
}
