package dev.gatehouse.core.router;

import dev.gatehouse.api.RequestPredicate;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;

/**
 * One enabled router, ready to serve: its compiled rule and its built chain (middlewares, then service).
 *
 * @param name the qualified router name ({@code app@file})
 * @param priority the effective priority
 * @param predicate the compiled rule
 * @param handler the chain the request enters when the rule matches
 * @param blocking whether the chain may block (its {@link Handler#getInvocationType()} is {@code BLOCKING}): then it
 *     is not run on a selector thread
 */
public record Route(String name, int priority, RequestPredicate predicate, Handler handler, boolean blocking) {

    /** A route whose chain is asked once, here, whether it may block: the chain is complete when a route is made. */
    public Route(String name, int priority, RequestPredicate predicate, Handler handler) {
        this(name, priority, predicate, handler, handler != null && handler.getInvocationType() == InvocationType.BLOCKING);
    }
}
