package dev.gatehouse.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

/** What the log says when something failed: words an operator reads, never a Java class name with a message. */
class FailureReasonsTest {

    @Test
    void wellKnownFailuresAnywhereInTheChainAreNamed() {
        assertEquals("no such file or folder: /var/log/gatehouse/access.log", FailureReasons.of(
                new UncheckedIOException(new NoSuchFileException("/var/log/gatehouse/access.log"))));
        assertEquals("permission denied: /etc/gatehouse/acme.json",
                FailureReasons.of(new AccessDeniedException("/etc/gatehouse/acme.json")));
        assertEquals("connection refused", FailureReasons.of(new IOException("wrapped", new ConnectException())));
    }

    @Test
    void otherwiseTheInnermostMessageWithoutAClassNameAndTheClassOnlyWhenThereIsNoMessage() {
        assertEquals("disk full", FailureReasons.of(new IllegalStateException("outer",
                new IOException("java.io.IOException: disk full"))));
        assertEquals("failed (NullPointerException)", FailureReasons.of(new NullPointerException()));
    }
}
