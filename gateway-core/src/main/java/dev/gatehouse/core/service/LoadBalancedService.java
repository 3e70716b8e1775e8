package dev.gatehouse.core.service;

import dev.gatehouse.core.observe.RequestRecord;
import dev.gatehouse.core.http.ErrorResponses;
import dev.gatehouse.core.proxy.UpstreamClient;
import dev.gatehouse.core.proxy.UpstreamServer;
import java.util.List;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code http.services.<name>.loadBalancer}: picks a server by smooth weighted round robin and forwards
 * to it; 503 when no server has a positive weight.
 */
public final class LoadBalancedService extends Handler.Abstract.NonBlocking {

    private final String name;
    private final SmoothWeightedRoundRobin<UpstreamServer> balancer;
    private final boolean passHostHeader;
    private final UpstreamClient upstream;
    private final List<UpstreamServer> servers;

    public LoadBalancedService(String name, List<UpstreamServer> servers, List<Integer> weights, boolean passHostHeader,
            UpstreamClient upstream) {
        this.name = name;
        this.servers = List.copyOf(servers);
        this.balancer = new SmoothWeightedRoundRobin<>(servers, weights);
        this.passHostHeader = passHostHeader;
        this.upstream = upstream;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        UpstreamServer server = balancer.next();
        if (server == null) {
            ErrorResponses.serviceUnavailable(request, response, callback);
            return true;
        }
        RequestRecord observed = RequestRecord.of(request);
        if (observed != null) {
            observed.service(name, server.url());
        }
        upstream.forward(request, response, callback, server, passHostHeader);
        return true;
    }

    public String name() {
        return name;
    }

    public List<UpstreamServer> servers() {
        return servers;
    }

    @Override
    public String toString() {
        return "service " + name + " " + servers;
    }
}
