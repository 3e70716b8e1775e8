package dev.gatehouse.core.service;

import dev.gatehouse.core.proxy.UpstreamServer;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code http.services.<name>.failover}: the main service while it has an available server (by its health
 * checks, active or passive), else the fallback.
 */
public final class FailoverService extends ServiceHandler {

    private final String name;
    private final ServiceHandler main;
    private final ServiceHandler fallback;

    public FailoverService(String name, ServiceHandler main, ServiceHandler fallback) {
        this.name = name;
        this.main = main;
        this.fallback = fallback;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        return (main.available() ? main : fallback).handle(request, response, callback);
    }

    @Override
    public boolean available() {
        return main.available() || fallback.available();
    }

    @Override
    public UpstreamServer pickForCopy() {
        return main.available() ? main.pickForCopy() : fallback.pickForCopy();
    }

    @Override
    public String name() {
        return name;
    }
}
