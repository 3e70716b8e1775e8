package dev.gatehouse.core.tcp;

import java.util.List;

/** The TCP routers of every entry point (indexed like the entry points), built once per configuration. */
public final class TcpRouting {

    public static final TcpRouting NONE = new TcpRouting(List.of(), TcpModel.EMPTY);

    private final TcpEntryPointRoutes[] byEntryPoint;
    private final TcpModel model;

    public TcpRouting(List<TcpEntryPointRoutes> byEntryPoint, TcpModel model) {
        this.byEntryPoint = byEntryPoint.toArray(new TcpEntryPointRoutes[0]);
        this.model = model;
    }

    /** Every TCP router, service and middleware, with its status and errors. */
    public TcpModel model() {
        return model;
    }

    /** The routers of the entry point with that index; none if it has none. */
    public TcpEntryPointRoutes entryPoint(int index) {
        return index >= 0 && index < byEntryPoint.length ? byEntryPoint[index] : TcpEntryPointRoutes.NONE;
    }
}
