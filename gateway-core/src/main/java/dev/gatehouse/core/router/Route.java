package dev.gatehouse.core.router;

import dev.gatehouse.api.RequestPredicate;
import org.eclipse.jetty.server.Handler;

/**
 * One enabled router, ready to serve: its compiled rule and its built chain (middlewares, then service).
 *
 * @param name the qualified router name ({@code app@file})
 * @param priority the effective priority
 * @param predicate the compiled rule
 * @param handler the chain the request enters when the rule matches
 */
public record Route(String name, int priority, RequestPredicate predicate, Handler handler) {
}
