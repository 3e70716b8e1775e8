package dev.gatehouse.core.dynamic;

/**
 * Something wrong in the dynamic configuration, tied to the element it disables.
 *
 * @param element what it concerns, as users name it: {@code router app@file}, {@code service web@docker},
 *     or a source as a whole ({@code file /etc/gatehouse/dynamic/app.yml})
 * @param origin where the element was defined (a file, a container), or null when not known
 * @param message what is wrong
 */
public record ConfigProblem(String element, String origin, String message) {

    @Override
    public String toString() {
        return element + (origin == null ? "" : " (from " + origin + ")") + ": " + message;
    }
}
