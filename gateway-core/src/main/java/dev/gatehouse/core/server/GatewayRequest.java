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
        int slot = slot(name);
        return slot < 0 ? super.getAttribute(name) : get(slot);
    }

    @Override
    public Object setAttribute(String name, Object value) {
        int slot = slot(name);
        return slot < 0 ? super.setAttribute(name, value) : put(slot, value);
    }

    @Override
    public Object removeAttribute(String name) {
        int slot = slot(name);
        return slot < 0 ? super.removeAttribute(name) : put(slot, null);
    }

    /** Which of the kept attributes {@code name} is (0 to 2), or -1 for one of Jetty's request. */
    private static int slot(String name) {
        if (name == null) {
            return -1;
        }
        return switch (name) {
            case FailureLog.ROUTER -> 0;
            case FailureLog.SERVICE -> 1;
            case RequestRecord.ATTRIBUTE -> 2;
            default -> -1;
        };
    }

    private Object get(int slot) {
        return switch (slot) {
            case 0 -> router;
            case 1 -> service;
            default -> record;
        };
    }

    /** Sets a kept attribute (null removes it); returns its previous value. */
    private Object put(int slot, Object value) {
        Object previous = get(slot);
        switch (slot) {
            case 0 -> router = value;
            case 1 -> service = value;
            default -> record = value;
        }
        return previous;
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
