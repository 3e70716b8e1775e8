package dev.gatehouse.core.internal;

import dev.gatehouse.api.ChallengeResponder;
import dev.gatehouse.core.http.EntryPoint;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code acme-http@internal}: answers {@code /.well-known/acme-challenge/<token>} with the key authorization of a
 * pending HTTP-01 challenge of a certificate resolver whose {@code httpChallenge.entryPoint} is the request's entry
 * point, and with 404 for any other token, as Traefik's challenge handler does: the {@code acme-http@internal}
 * router takes the whole path, so an unknown token never reaches a user's router.
 */
public final class AcmeHttpService extends Handler.Abstract.NonBlocking {

    public static final String NAME = "acme-http@internal";

    /** By entry point name, the resolvers answering challenges there. */
    private final Map<String, List<ChallengeResponder>> responders;

    /** @param responders by entry point name, the resolvers whose HTTP-01 challenges are answered there */
    public AcmeHttpService(Map<String, List<ChallengeResponder>> responders) {
        this.responders = Map.copyOf(responders);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String keyAuthorization = keyAuthorization(request);
        if (keyAuthorization == null) {
            response.setStatus(HttpStatus.NOT_FOUND_404);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
            response.write(true, null, callback);
            return true;
        }
        byte[] body = keyAuthorization.getBytes(StandardCharsets.US_ASCII);
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, HttpMethod.HEAD.is(request.getMethod()) ? null : ByteBuffer.wrap(body), callback);
        return true;
    }

    private String keyAuthorization(Request request) {
        EntryPoint entryPoint = EntryPoint.of(request);
        String path = request.getHttpURI().getPath();
        if (entryPoint == null || path == null || !path.startsWith(ChallengeResponder.PATH_PREFIX)) {
            return null;
        }
        String token = path.substring(ChallengeResponder.PATH_PREFIX.length());
        if (token.isEmpty()) {
            return null;
        }
        for (ChallengeResponder responder : responders.getOrDefault(entryPoint.name(), List.of())) {
            String keyAuthorization = responder.keyAuthorization(token);
            if (keyAuthorization != null) {
                return keyAuthorization;
            }
        }
        return null;
    }
}
