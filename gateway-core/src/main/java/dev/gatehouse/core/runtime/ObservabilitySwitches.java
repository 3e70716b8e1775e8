package dev.gatehouse.core.runtime;

import dev.gatehouse.core.config.dynamic.ObservabilityConfig;
import dev.gatehouse.core.observe.RequestRecord;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * First handler of a router with {@code observability} switches or an {@code @internal} service: sets them on the
 * request's record (over its entry point's), so the access log and the metrics skip the request when told to. The
 * chain behind is not owned.
 */
final class ObservabilitySwitches extends Handler.Abstract {
    private final ObservabilityConfig switches;
    private final boolean internal;
    private final Handler next;

    /** @param switches the router's switches, or null for none */
    ObservabilitySwitches(ObservabilityConfig switches, boolean internal, Handler next) {
        this.switches = switches;
        this.internal = internal;
        this.next = next;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        RequestRecord observed = RequestRecord.of(request);
        if (observed != null) {
            observed.observability(switches);
            if (internal) {
                observed.internal();
            }
        }
        return next.handle(request, response, callback);
    }

    /** As blocking as the chain it passes to: it does nothing that blocks itself. */
    @Override
    public InvocationType getInvocationType() {
        return next.getInvocationType();
    }
}
