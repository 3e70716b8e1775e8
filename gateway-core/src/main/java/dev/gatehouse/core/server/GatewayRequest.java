package dev.gatehouse.core.server;

import dev.gatehouse.core.http.FailureLog;
import dev.gatehouse.core.observe.RequestRecord;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import org.eclipse.jetty.server.Request;

/**
 * The request as the gateway's handlers get it, wrapped once at the root: the attributes the gateway itself sets on
 * every request (the router's and the service's names, for the log line of a 502, and the access log's record) are
 * fields of this wrapper. Set on Jetty's request, the first of them made a {@code ConcurrentHashMap} for every
 * request (a JFR allocation profile of the bench's load: about 200 bytes, and atomic updates). Every other attribute
 * is Jetty's request's, as before; to a handler or a plugin the three behave as any attribute: set, read, listed and
 * removed alike.
 */
final class GatewayRequest extends Request.Wrapper {

    private Object router;
    private Object service;
    private Object record;

    GatewayRequest(Request request) {
        super(request);
    }

    @Override
    public Object getAttribute(String name) {
        if (name == null) {
            return super.getAttribute(null);
        }
        return switch (name) {
            case FailureLog.ROUTER -> router;
            case FailureLog.SERVICE -> service;
            case RequestRecord.ATTRIBUTE -> record;
            default -> super.getAttribute(name);
        };
    }

    @Override
    public Object setAttribute(String name, Object value) {
        if (name == null) {
            return super.setAttribute(null, value);
        }
        Object previous;
        switch (name) {
            case FailureLog.ROUTER -> {
                previous = router;
                router = value;
            }
            case FailureLog.SERVICE -> {
                previous = service;
                service = value;
            }
            case RequestRecord.ATTRIBUTE -> {
                previous = record;
                record = value;
            }
            default -> previous = super.setAttribute(name, value);
        }
        return previous;
    }

    @Override
    public Object removeAttribute(String name) {
        return setAttribute(name, null);
    }

    @Override
    public Set<String> getAttributeNameSet() {
        Set<String> names = super.getAttributeNameSet();
        if (router == null && service == null && record == null) {
            return names;
        }
        Set<String> all = new HashSet<>(names);
        if (router != null) {
            all.add(FailureLog.ROUTER);
        }
        if (service != null) {
            all.add(FailureLog.SERVICE);
        }
        if (record != null) {
            all.add(RequestRecord.ATTRIBUTE);
        }
        return Collections.unmodifiableSet(all);
    }

    @Override
    public void clearAttributes() {
        router = null;
        service = null;
        record = null;
        super.clearAttributes();
    }
}
