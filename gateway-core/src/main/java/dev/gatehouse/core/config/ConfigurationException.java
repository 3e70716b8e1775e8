package dev.gatehouse.core.config;

import java.util.List;

/**
 * The configuration cannot be used. Carries every problem found, each one saying what is wrong and
 * where it came from ({@code conf/gatehouse.yml:7: unknown key 'entryPoints.web.adress' ...}), so
 * that {@code gatehouse check} can print them all.
 */
public final class ConfigurationException extends Exception {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public ConfigurationException(String problem) {
        this(List.of(problem));
    }

    public ConfigurationException(List<String> problems) {
        super(message(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a configuration exception needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** Every problem, one line each, in the order they were found. */
    public List<String> problems() {
        return problems;
    }

    private static String message(List<String> problems) {
        if (problems.size() == 1) {
            return problems.get(0);
        }
        StringBuilder out = new StringBuilder().append(problems.size()).append(" configuration errors:");
        for (String p : problems) {
            out.append(System.lineSeparator()).append("  - ").append(p);
        }
        return out.toString();
    }
}
