package dev.gatehouse.core.dynamic;

/**
 * Something wrong in the dynamic configuration, tied to the element it disables (or, for a warning, the element
 * that serves despite it).
 *
 * @param subject what it concerns: a router, service or middleware by qualified name, or a source as a whole
 *     ({@code file /etc/gatehouse/dynamic/app.yml})
 * @param origin where the element was defined (a file with its line, a container), or null when not known
 * @param kind what part of the element is wrong
 * @param message what is wrong, and how to fix it when there is an obvious way
 */
public record ConfigProblem(ConfigElement subject, String origin, ProblemKind kind, String message) {

    /** A problem with something other than a named router, service, middleware or transport: a key, a source. */
    public ConfigProblem(String element, String origin, String message) {
        this(ConfigElement.other(element), origin, ProblemKind.INVALID, message);
    }

    /** What it concerns, as users read it: {@code router app@file}, {@code tls.options.modern@file}. */
    public String element() {
        return subject.toString();
    }

    @Override
    public String toString() {
        return element() + (origin == null ? "" : " (from " + origin + ")") + ": " + message;
    }
}
