package dev.gatehouse.core.service;

import dev.gatehouse.core.http.ErrorResponses;
import dev.gatehouse.core.proxy.UpstreamServer;
import java.util.List;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code http.services.<name>.weighted}: smooth weighted round robin over services, skipping those with no
 * available server; optionally sticky by cookie (the value names the child service).
 */
public final class WeightedService extends ServiceHandler {

    private final String name;
    private final ServiceHandler[] children;
    private final SmoothWeightedRoundRobin<Integer> wrr;
    private final StickyCookie sticky;
    private final String[] cookieValues;
    private final HttpField[] setCookies;

    public WeightedService(String name, List<ServiceHandler> children, List<Integer> weights, StickyCookie sticky) {
        this.name = name;
        this.children = children.toArray(new ServiceHandler[0]);
        List<Integer> indexes = new java.util.ArrayList<>();
        for (int i = 0; i < children.size(); i++) {
            indexes.add(i);
        }
        this.wrr = new SmoothWeightedRoundRobin<>(indexes, weights);
        this.sticky = sticky;
        this.cookieValues = new String[this.children.length];
        this.setCookies = new HttpField[this.children.length];
        for (int i = 0; i < this.children.length; i++) {
            cookieValues[i] = StickyCookie.valueFor(this.children[i].name());
            setCookies[i] = sticky == null ? null : sticky.setCookie(cookieValues[i]);
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        int chosen = -1;
        if (sticky != null) {
            String value = sticky.valueIn(request);
            if (value != null) {
                for (int i = 0; i < cookieValues.length; i++) {
                    if (cookieValues[i].equals(value) && children[i].available()) {
                        chosen = i;
                        break;
                    }
                }
            }
        }
        boolean writeCookie = sticky != null && chosen < 0;
        if (chosen < 0) {
            chosen = next();
        }
        if (chosen < 0) {
            ErrorResponses.serviceUnavailable(request, response, callback);
            return true;
        }
        if (writeCookie) {
            response.getHeaders().add(setCookies[chosen]);
        }
        return children[chosen].handle(request, response, callback);
    }

    private int next() {
        for (int tries = 0; tries < wrr.size(); tries++) {
            Integer index = wrr.next();
            if (index != null && children[index].available()) {
                return index;
            }
        }
        return -1;
    }

    @Override
    public boolean available() {
        for (ServiceHandler child : children) {
            if (child.available()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public UpstreamServer pickForCopy() {
        int index = next();
        return index < 0 ? null : children[index].pickForCopy();
    }

    @Override
    public String name() {
        return name;
    }
}
