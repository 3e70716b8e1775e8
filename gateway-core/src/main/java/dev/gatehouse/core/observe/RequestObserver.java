package dev.gatehouse.core.observe;

import dev.gatehouse.api.MiddlewareContext;
import dev.gatehouse.api.config.ObservabilityConfig;
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

    public RequestObserver(List<Consumer<RequestRecord>> consumers) {
        this(consumers, Map.of());
    }

    public RequestObserver(List<Consumer<RequestRecord>> consumers, Map<String, ObservabilityConfig> entryPointSwitches) {
        this.consumers = List.copyOf(consumers);
        this.entryPointSwitches = Map.copyOf(entryPointSwitches);
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
        for (Consumer<RequestRecord> consumer : consumers) {
            consumer.accept(record);
        }
    }
}
