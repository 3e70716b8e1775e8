package dev.gatehouse.core.tcp;

import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What came of each TCP router, service and middleware of a configuration, for the API and the dashboard: its
 * configuration, where it was written, whether it serves and why not.
 */
public record TcpModel(SortedMap<String, Element> routers, SortedMap<String, Element> services,
        SortedMap<String, Element> middlewares) {

    public static final TcpModel EMPTY = new TcpModel(new TreeMap<>(), new TreeMap<>(), new TreeMap<>());

    public TcpModel {
        routers = Collections.unmodifiableSortedMap(new TreeMap<>(routers));
        services = Collections.unmodifiableSortedMap(new TreeMap<>(services));
        middlewares = Collections.unmodifiableSortedMap(new TreeMap<>(middlewares));
    }

    /**
     * @param config the element's configuration record; null when it could not be read
     * @param provider the provider that published it
     * @param origin where it was written (file and line, container)
     * @param enabled whether it serves
     * @param errors what is wrong with it, as logged; an element that serves with errors is in warning
     * @param related for a router the entry points it serves on (Traefik's {@code using}); for a service or
     *     middleware the routers and services that use it ({@code usedBy})
     */
    public record Element(Object config, String provider, String origin, boolean enabled, List<String> errors,
            List<String> related) {
        public Element {
            errors = List.copyOf(errors);
            related = List.copyOf(related);
        }
    }
}
