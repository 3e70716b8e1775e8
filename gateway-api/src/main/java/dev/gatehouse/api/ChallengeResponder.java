package dev.gatehouse.api;

import org.eclipse.jetty.server.Handler;

/**
 * Implemented by a {@link CertResolver.Instance} that answers HTTP challenges (ACME HTTP-01).
 *
 * <p>The gateway runs {@link #challengeHandler()} ahead of every router on the entry point the resolver
 * is configured for, for requests under {@link #challengePathPrefix()}.
 *
 * <pre>{@code
 * final class Running implements CertResolver.Instance, ChallengeResponder {
 *     private final Map<String, String> tokens = new ConcurrentHashMap<>();
 *     public String challengePathPrefix() { return "/.well-known/acme-challenge/"; }
 *     public Handler challengeHandler() {
 *         return new Handler.Abstract() {
 *             public boolean handle(Request request, Response response, Callback callback) {
 *                 String token = Request.getPathInContext(request).substring(challengePathPrefix().length());
 *                 String answer = tokens.get(token);
 *                 if (answer == null) {
 *                     return false;
 *                 }
 *                 Content.Sink.write(response, true, answer, callback);
 *                 return true;
 *             }
 *         };
 *     }
 *     public void request(Set<String> domains) { ... }
 * }
 * }</pre>
 */
public interface ChallengeResponder {

    /** The path under which challenges are served, for example {@code /.well-known/acme-challenge/}. */
    String challengePathPrefix();

    /** Answers challenge requests; returns {@code false} for one it does not know. */
    Handler challengeHandler();
}
