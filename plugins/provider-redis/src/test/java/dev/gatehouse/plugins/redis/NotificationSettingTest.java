package dev.gatehouse.plugins.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which notify-keyspace-events settings let the provider see every change, and what it says about the others. */
class NotificationSettingTest {

    @ParameterizedTest
    @ValueSource(strings = {"KEA", "AK", "KA", "Kg$x", "AKE", "Kg$xe"})
    void settingsThatSendEveryWriteDeleteAndExpiryAreAccepted(String flags) {
        assertNull(RedisKeyValueStore.notificationsProblem(flags, "Redis at 127.0.0.1:6379"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "EA", "K", "Kg", "K$", "Kg$", "xE"})
    void otherSettingsAreRefusedWithTheCommandThatFixesThem(String flags) {
        String problem = RedisKeyValueStore.notificationsProblem(flags, "Redis at 127.0.0.1:6379");
        assertTrue(problem.startsWith("Redis at 127.0.0.1:6379 does not send keyspace notifications "
                + "(notify-keyspace-events is '" + flags + "')"), problem);
        assertTrue(problem.contains("CONFIG SET notify-keyspace-events KEA") && problem.contains("redis.conf"), problem);
    }

    @ParameterizedTest
    @CsvSource({"traefik/, traefik/", "a*b/, a\\*b/", "x?[y]/, x\\?\\[y\\]/"})
    void theRootKeyIsALiteralInPatterns(String prefix, String glob) {
        assertEquals(glob, RedisKeyValueStore.glob(prefix));
    }
}
