package dev.gatehouse.plugins.middlewares.errors;

import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import dev.gatehouse.api.http.HeldResponse;
import dev.gatehouse.api.http.StatusRanges;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.pf4j.Extension;

/**
 * {@code errors}: when the response's status is in {@code status}, the client gets instead the page that
 * {@code service} answers to a GET of {@code query}, with the original status (or its {@code statusRewrites}
 * value). The decision waits for the status, so the original response is never partly sent.
 */
@Extension
public final class Errors implements Middleware<Errors.Config> {

    /**
     * @param status status codes and ranges ({@code 500-599}, {@code 404,418})
     * @param statusRewrites status (or range) to the status the client gets instead
     * @param service the service answering the error pages ({@code name} or {@code name@provider})
     * @param query the path and query of the page; {@code {status}}, {@code {originalStatus}} and {@code {url}}
     *     are replaced
     * @param errorRequestHeaders the client's request headers the page request carries (Traefik v3.7): null (not
     *     set) for all of them, as before; a list for only those (an empty list for none), so that credentials such
     *     as {@code Authorization} and {@code Cookie} need not reach an error page service of another trust domain
     */
    public record Config(List<String> status, Map<String, Integer> statusRewrites, String service, String query,
            List<String> errorRequestHeaders) {

        /** Without {@code errorRequestHeaders}: every header goes to the page. */
        public Config(List<String> status, Map<String, Integer> statusRewrites, String service, String query) {
            this(status, statusRewrites, service, query, null);
        }
    }

    @Override
    public String name() {
        return "errors";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Handler.Wrapper create(Config config, MiddlewareContext context) {
        if (config == null || config.service() == null || config.service().isBlank()) {
            throw new IllegalArgumentException("'service' is required");
        }
        StatusRanges status = StatusRanges.parse("status", config.status());
        Map<StatusRanges, Integer> rewrites = new LinkedHashMap<>();
        if (config.statusRewrites() != null) {
            config.statusRewrites().forEach((from, to) -> {
                if (to == null || to < 100 || to > 999) {
                    throw new IllegalArgumentException("'statusRewrites." + from + "': " + to + " is not a status code");
                }
                rewrites.put(StatusRanges.parse("statusRewrites", List.of(from)), to);
            });
        }
        Handler service = context.service(config.service());
        List<String> forwarded = config.errorRequestHeaders() == null ? null : List.copyOf(config.errorRequestHeaders());
        return new ErrorPages(status, rewrites, service, config.query() == null ? "" : config.query(), forwarded);
    }

    static final class ErrorPages extends Handler.Wrapper {
        private final StatusRanges status;
        private final Map<StatusRanges, Integer> rewrites;
        private final Handler service;
        private final String query;
        /** {@code errorRequestHeaders}: null for all the client's headers. */
        private final List<String> forwarded;

        ErrorPages(StatusRanges status, Map<StatusRanges, Integer> rewrites, Handler service, String query,
                List<String> forwarded) {
            this.status = status;
            this.rewrites = rewrites;
            this.service = service;
            this.query = query;
            this.forwarded = forwarded;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            if (status.isEmpty()) {
                return super.handle(request, response, callback);
            }
            HttpFields before = HttpFields.build(response.getHeaders()).asImmutable();
            // A status in the ranges swallows the whole response, any other lets it through untouched.
            HeldResponse catcher = new HeldResponse(request, response, held -> status.contains(held.getStatus()));
            Callback done = new Callback() {
                @Override
                public void succeeded() {
                    if (catcher.decide()) {
                        page(request, response, callback, catcher.getStatus(), before);
                    } else {
                        callback.succeeded();
                    }
                }

                @Override
                public void failed(Throwable failure) {
                    if (catcher.dropped()) {
                        page(request, response, callback, catcher.getStatus(), before);
                    } else {
                        callback.failed(failure);
                    }
                }

                @Override
                public InvocationType getInvocationType() {
                    return callback.getInvocationType();
                }
            };
            if (!super.handle(request, catcher, done)) {
                catcher.setStatus(404);
                done.succeeded();
            }
            return true;
        }

        /** Sends the page for {@code original}, with the original status or its rewrite, and the page's headers. */
        private void page(Request request, Response response, Callback callback, int original, HttpFields before) {
            int code = original;
            for (Map.Entry<StatusRanges, Integer> rewrite : rewrites.entrySet()) {
                if (rewrite.getKey().contains(original)) {
                    code = rewrite.getValue();
                    break;
                }
            }
            if (response.isCommitted()) {
                callback.failed(new IllegalStateException("response committed before the error page"));
                return;
            }
            HttpFields.Mutable headers = response.getHeaders();
            headers.clear();
            headers.add(before);
            response.setStatus(code);
            String target = query.replace("{status}", Integer.toString(code))
                    .replace("{originalStatus}", Integer.toString(original))
                    .replace("{url}", queryEscape(request.getHttpURI().getPathQuery()));
            if (!target.startsWith("/")) {
                target = "/" + target;
            }
            Request pageRequest = new PageRequest(request, HttpURI.build(request.getHttpURI()).pathQuery(target).asImmutable(),
                    forwarded);
            int enforced = code;
            Response pageResponse = new Response.Wrapper(request, response) {
                @Override
                public void setStatus(int ignored) {
                    // the client gets the original (or rewritten) status, whatever the page service says
                    super.setStatus(enforced);
                }
            };
            try {
                if (!service.handle(pageRequest, pageResponse, callback)) {
                    Response.writeError(request, response, callback, enforced);
                }
            } catch (Throwable e) {
                callback.failed(e);
            }
        }
    }

    /** Go's {@code url.QueryEscape}: everything but letters, digits and {@code -_.~} is escaped, space as {@code +}. */
    static String queryEscape(String text) {
        return URLEncoder.encode(text == null ? "" : text, StandardCharsets.UTF_8).replace("*", "%2A").replace("%7E", "~");
    }

    /**
     * A body-less GET of the error page, with the client's headers (or those of {@code errorRequestHeaders}) except
     * those about a body.
     */
    static final class PageRequest extends Request.Wrapper {
        private final HttpURI uri;
        private final HttpFields headers;

        /** @param forwarded the names of the headers to keep; null for all */
        PageRequest(Request request, HttpURI uri, List<String> forwarded) {
            super(request);
            this.uri = uri;
            HttpFields.Mutable fields;
            if (forwarded == null) {
                fields = HttpFields.build(request.getHeaders());
            } else {
                fields = HttpFields.build();
                // Host is where the request goes, not a header that crosses to the page service (Go keeps it apart).
                HttpField host = request.getHeaders().getField(HttpHeader.HOST);
                if (host != null) {
                    fields.add(host);
                }
                for (HttpField field : request.getHeaders()) {
                    if (field.getHeader() != HttpHeader.HOST && named(forwarded, field.getName())) {
                        fields.add(field);
                    }
                }
            }
            this.headers = fields.remove(HttpHeader.CONTENT_LENGTH).remove(HttpHeader.TRANSFER_ENCODING)
                    .remove(HttpHeader.CONTENT_TYPE).remove(HttpHeader.EXPECT).asImmutable();
        }

        /** Header names compare without regard to case. */
        private static boolean named(List<String> names, String name) {
            for (String candidate : names) {
                if (candidate.strip().equalsIgnoreCase(name)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String getMethod() {
            return "GET";
        }

        @Override
        public HttpURI getHttpURI() {
            return uri;
        }

        @Override
        public HttpFields getHeaders() {
            return headers;
        }

        @Override
        public long getLength() {
            return 0;
        }

        @Override
        public Content.Chunk read() {
            return Content.Chunk.EOF;
        }

        @Override
        public void demand(Runnable demandCallback) {
            demandCallback.run();
        }
    }
}
