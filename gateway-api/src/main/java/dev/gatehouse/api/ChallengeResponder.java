package dev.gatehouse.api;

/**
 * Implemented by a {@link CertResolver.Running} that answers ACME HTTP-01 challenges.
 *
 * <p>The gateway answers {@code /.well-known/acme-challenge/<token>} on {@link #httpChallengeEntryPoint()} through
 * its router {@code acme-http@internal}, which comes before every other router, with
 * {@link #keyAuthorization(String)} as the body, or 404 when no resolver of that entry point knows the token.
 *
 * <pre>{@code
 * final class Resolver implements CertResolver.Running, ChallengeResponder {
 *     private final Map<String, String> pending = new ConcurrentHashMap<>();
 *     public String httpChallengeEntryPoint() { return "web"; }
 *     public String keyAuthorization(String token) { return pending.get(token); }
 *     public void request(Set<String> domains) {
 *         // for each HTTP-01 challenge of the order: pending.put(challenge.token(), challenge.keyAuthorization());
 *         // tell the CA the challenge is ready; remove the token once the authorization is valid
 *     }
 *     public void close() { }
 * }
 * }</pre>
 */
public interface ChallengeResponder {

    /** The path under which HTTP-01 challenges are served. */
    String PATH_PREFIX = "/.well-known/acme-challenge/";

    /** The entry point that serves the challenges ({@code httpChallenge.entryPoint}), or null for none. */
    String httpChallengeEntryPoint();

    /** The key authorization for {@code token}, or null when no challenge with that token is pending. */
    String keyAuthorization(String token);
}
