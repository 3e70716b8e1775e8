package dev.gatehouse.plugins.acme.dns;

import java.io.IOException;

/**
 * A DNS-01 step failed (an update refused, a program or endpoint that failed, a record that never appeared); the
 * message is written for the operator: it names the domain, the server or program and what to check.
 */
public final class DnsChallengeException extends IOException {
    private static final long serialVersionUID = 1L;

    public DnsChallengeException(String message) {
        super(message);
    }

    public DnsChallengeException(String message, Throwable cause) {
        super(message, cause);
    }
}
