package dev.gatehouse.core.runtime;

import dev.gatehouse.core.dynamic.ConfigElement;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.dynamic.ProblemKind;
import java.util.ArrayList;
import java.util.List;

/** The problems of one router being built: those that disable it, and warnings that leave it serving. */
final class RouterProblems {
    final ConfigElement router;
    final String origin;
    final List<ConfigProblem> list = new ArrayList<>();
    /** Problems that leave the router serving (its status is then {@code warning}). */
    final List<ConfigProblem> warnings = new ArrayList<>();

    RouterProblems(String name, String origin) {
        this.router = ConfigElement.router(name);
        this.origin = origin;
    }

    void add(ProblemKind kind, String message) {
        list.add(new ConfigProblem(router, origin, kind, message));
    }

    void warn(ProblemKind kind, String message) {
        warnings.add(new ConfigProblem(router, origin, kind, message));
    }

    boolean any() {
        return !list.isEmpty();
    }
}
