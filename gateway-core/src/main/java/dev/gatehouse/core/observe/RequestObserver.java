package dev.gatehouse.core.observe;

import dev.gatehouse.api.MiddlewareContext;
import dev.gatehouse.core.config.dynamic.ObservabilityConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Gives each request a {@link RequestRecord} and hands the completed record to the consumers (access log,
 * metrics). The gateway creates one only when some consumer is configured, so that without observation a
 * request pays nothing. Consumers run on the thread that completes the response: they must be quick and
 * never block.
 */
public final class RequestObserver {

    private final List<Consumer<RequestRecord>> consumers;
    private final AtomicLong count = new AtomicLong();

    /** By entry point name, its {@code observability} switches: the defaults of the requests it receives. */
    private final Map<String, ObservabilityConfig> entryPointSwitches;

    /** {@code accessLog.addInternals}: whether requests the gateway answers itself are logged. */
    private final boolean logInternals;
    /** {@code metrics.addInternals}: whether requests the gateway answers itself are counted. */
    private final boolean countInternals;

    public RequestObserver(List<Consumer<RequestRecord>> consumers) {
        this(consumers, Map.of(), false, false);
    }

    /**
     * @param logInternals {@code accessLog.addInternals}
     * @param countInternals {@code metrics.addInternals}
     */
    public RequestObserver(List<Consumer<RequestRecord>> consumers, Map<String, ObservabilityConfig> entryPointSwitches,
            boolean logInternals, boolean countInternals) {
        this.consumers = List.copyOf(consumers);
        this.entryPointSwitches = Map.copyOf(entryPointSwitches);
        this.logInternals = logInternals;
        this.countInternals = countInternals;
    }

    /**
     * Starts the record of a request: call before routing. The returned callback completes the record when
     * the response is done, hands it to the consumers, then completes {@code callback}.
     */
    public Callback begin(Request request, Response response, Callback callback, String entryPoint) {
        RequestRecord record = new RequestRecord(request, entryPoint);
        record.observability(entryPointSwitches.get(entryPoint));
        request.setAttribute(RequestRecord.ATTRIBUTE, record);
        return new Callback.Nested(callback) {
            @Override
            public void succeeded() {
                complete(record, request, response);
                super.succeeded();
            }

            @Override
            public void failed(Throwable failure) {
                complete(record, request, response);
                super.failed(failure);
            }
        };
    }

    private void complete(RequestRecord record, Request request, Response response) {
        record.finish(response);
        if (request.getAttribute(MiddlewareContext.Attributes.CLIENT_USERNAME) instanceof String user) {
            record.clientUsername = user;
        }
        record.count = count.incrementAndGet();
        if (record.internal) {
            // As Traefik: without addInternals, the gateway's own answers are neither logged nor counted, whatever
            // the entry point's or router's observability switches say.
            record.accessLogs &= logInternals;
            record.metrics &= countInternals;
        }
        for (Consumer<RequestRecord> consumer : consumers) {
            consumer.accept(record);
        }
    }
}
