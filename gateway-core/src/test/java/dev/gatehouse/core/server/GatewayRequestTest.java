package dev.gatehouse.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gatehouse.core.http.FailureLog;
import dev.gatehouse.core.http.LocalExchange;
import dev.gatehouse.core.observe.RequestRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.TreeSet;
import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/**
 * The gateway's own per-request attributes, kept in the root wrapper: to a handler they are attributes like any
 * other, and Jetty's request underneath never holds them.
 */
class GatewayRequestTest {

    @Test
    void theGatewaysAttributesBehaveAsAttributesWithoutReachingJettysRequest() throws Exception {
        HttpTester.Response response = LocalExchange.answer(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                // As a middleware sees it: another wrapper above the gateway's.
                Request seen = new Request.Wrapper(new GatewayRequest(request));
                StringBuilder out = new StringBuilder();
                out.append("first set returns ").append(seen.setAttribute(FailureLog.ROUTER, "app@file")).append('\n');
                out.append("second set returns ").append(seen.setAttribute(FailureLog.ROUTER, "api@file")).append('\n');
                seen.setAttribute(FailureLog.SERVICE, "svc@file");
                seen.setAttribute(RequestRecord.ATTRIBUTE, "record");
                seen.setAttribute("plugin.note", "kept by Jetty");
                out.append("router ").append(seen.getAttribute(FailureLog.ROUTER)).append('\n');
                out.append("names ").append(new TreeSet<>(seen.getAttributeNameSet())).append('\n');
                out.append("jetty holds ").append(new TreeSet<>(request.getAttributeNameSet())).append('\n');
                out.append("removed ").append(seen.removeAttribute(FailureLog.SERVICE)).append('\n');
                seen.setAttribute(RequestRecord.ATTRIBUTE, null);
                out.append("names after ").append(new TreeSet<>(seen.getAttributeNameSet())).append('\n');
                seen.clearAttributes();
                out.append("after clear ").append(seen.getAttribute(FailureLog.ROUTER)).append(' ')
                        .append(seen.getAttribute("plugin.note")).append('\n');
                response.write(true, ByteBuffer.wrap(out.toString().getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        }, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        assertEquals("""
                first set returns null
                second set returns app@file
                router api@file
                names [dev.gatehouse.core.observe.RequestRecord, dev.gatehouse.router, dev.gatehouse.service, plugin.note]
                jetty holds [plugin.note]
                removed svc@file
                names after [dev.gatehouse.router, plugin.note]
                after clear null null
                """, response.getContent());
    }
}
