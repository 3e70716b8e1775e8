package dev.gatehouse.core.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code demo@internal}: a small page that proves a fresh installation routes requests, and says what to
 * do next. Enabled with {@code demo: {}} in the static configuration.
 */
public final class DemoService extends Handler.Abstract.NonBlocking {

    public static final String NAME = "demo@internal";

    private final ByteBuffer page;

    public DemoService(String version) {
        String html = """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>Gatehouse is running</title>
                <style>body{font-family:system-ui,sans-serif;max-width:42em;margin:3em auto;line-height:1.5;color:#222}
                code{background:#f3f3f3;padding:.1em .3em;border-radius:3px}</style></head>
                <body><h1>Gatehouse is running</h1>
                <p>This page is served by the router <code>demo@internal</code> (rule <code>Host(`localhost`) || Host(`127.0.0.1`)</code>)
                of Gatehouse %s. Your own routes go in the dynamic configuration: see
                <code>conf/dynamic/example.yml</code> in the installation and <code>docs/getting-started.md</code>.</p>
                <p>Remove <code>demo: {}</code> from <code>conf/gatehouse.yml</code> to turn this page off.</p>
                </body></html>
                """.formatted(version);
        page = ByteBuffer.wrap(html.getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/html; charset=utf-8");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, page.remaining());
        response.write(true, "HEAD".equals(request.getMethod()) ? null : page.slice(), callback);
        return true;
    }
}
