package dev.gatehouse.core.service;

import dev.gatehouse.core.http.ErrorResponses;
import dev.gatehouse.core.proxy.UpstreamServer;
import java.util.List;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code http.services.<name>.highestRandomWeight}: the {@code hrw} strategy over services instead of servers
 * (Traefik v3.4+): the client's IP and each child service's name (as written in the configuration) give a
 * {@link RendezvousScore}, the available child with the highest one gets the request. A client keeps its service
 * while that service has an available server; children with weight 0 get nothing.
 */
public final class HighestRandomWeightService extends ServiceHandler {

    private final String name;
    private final ServiceHandler[] children;
    private final byte[][] childNames;
    private final int[] weights;

    /**
     * @param names the children's names as the configuration gives them (the hash input, as Traefik's)
     */
    public HighestRandomWeightService(String name, List<ServiceHandler> children, List<String> names,
            List<Integer> weights) {
        this.name = name;
        this.children = children.toArray(new ServiceHandler[0]);
        this.childNames = new byte[names.size()][];
        this.weights = new int[weights.size()];
        for (int i = 0; i < childNames.length; i++) {
            childNames[i] = RendezvousScore.serverBytes(names.get(i));
            this.weights[i] = weights.get(i);
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        int chosen = pick(RendezvousScore.clientHash(request));
        if (chosen < 0) {
            ErrorResponses.serviceUnavailable(request, response, callback);
            return true;
        }
        return children[chosen].handle(request, response, callback);
    }

    private int pick(long keyHash) {
        int best = -1;
        double bestScore = 0;
        for (int i = 0; i < children.length; i++) {
            if (weights[i] <= 0 || !children[i].available()) {
                continue;
            }
            double score = RendezvousScore.score(keyHash, childNames[i], weights[i]);
            if (best < 0 || score > bestScore) {
                best = i;
                bestScore = score;
            }
        }
        return best;
    }

    @Override
    public boolean available() {
        for (int i = 0; i < children.length; i++) {
            if (weights[i] > 0 && children[i].available()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public UpstreamServer pickForCopy() {
        int chosen = pick(RendezvousScore.hashKey(""));
        return chosen < 0 ? null : children[chosen].pickForCopy();
    }

    @Override
    public String name() {
        return name;
    }
}
