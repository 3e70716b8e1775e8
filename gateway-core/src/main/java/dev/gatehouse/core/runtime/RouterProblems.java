package dev.gatehouse.core.runtime;

import dev.gatehouse.core.dynamic.ConfigElement;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.dynamic.ProblemKind;
import java.util.ArrayList;
import java.util.List;

/** The problems of one router being built: those that disable it, and warnings that leave it serving. */
final class RouterProblems {
    private final String name;
    final String origin;
    /** Made on the first problem: most routers have none, and a build makes one of these per router. */
    private ConfigElement router;
    final List<ConfigProblem> list = new ArrayList<>();
    /** Problems that leave the router serving (its status is then {@code warning}). */
    final List<ConfigProblem> warnings = new ArrayList<>();

    RouterProblems(String name, String origin) {
        this.name = name;
        this.origin = origin;
    }

    void add(ProblemKind kind, String message) {
        list.add(new ConfigProblem(router(), origin, kind, message));
    }

    void warn(ProblemKind kind, String message) {
        warnings.add(new ConfigProblem(router(), origin, kind, message));
    }

    private ConfigElement router() {
        if (router == null) {
            router = ConfigElement.router(name);
        }
        return router;
    }

    boolean any() {
        return !list.isEmpty();
    }
}
