package dev.gatehouse.api;

import org.eclipse.jetty.server.Handler;

/**
 * Implemented by a {@link CertResolver.Instance} that answers HTTP challenges (ACME HTTP-01).
 *
 * <p>The gateway runs {@link #challengeHandler()} ahead of every router on the entry point the resolver
 * is configured for, for requests under {@link #challengePathPrefix()}.
 */
public interface ChallengeResponder {

    /** The path under which challenges are served, for example {@code /.well-known/acme-challenge/}. */
    String challengePathPrefix();

    /** Answers challenge requests; returns {@code false} for one it does not know. */
    Handler challengeHandler();
}
