package dev.gatehouse.plugins.acme.dns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * The environment variables a DNS provider is configured with, read as lego (the ACME library Traefik uses) reads
 * them, so that a Traefik deployment's variables work unchanged: {@code NAME} or, when it is unset, the content of
 * the file named by {@code NAME_FILE} (for Docker and Kubernetes secrets), without surrounding white space.
 * Durations are whole seconds, as lego's {@code GetOrDefaultSecond}.
 */
public final class LegoEnvironment {

    private final Function<String, String> variables;

    public LegoEnvironment(Function<String, String> variables) {
        this.variables = Objects.requireNonNull(variables, "variables");
    }

    /** The process's own environment. */
    public static LegoEnvironment system() {
        return new LegoEnvironment(System::getenv);
    }

    /** {@code name}'s value, else the content of the file {@code name_FILE} names, else null. */
    public String get(String name) {
        String value = variables.apply(name);
        if (value != null && !value.isEmpty()) {
            return value;
        }
        String file = variables.apply(name + "_FILE");
        if (file == null || file.isEmpty()) {
            return null;
        }
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("the environment variable " + name + "_FILE names " + file
                    + ", which cannot be read: " + e.getMessage());
        }
    }

    /** {@code name}'s value; an error naming the variable when it is unset. */
    public String require(String name, String provider) {
        String value = get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("the DNS provider " + provider + " needs the environment variable "
                    + name + " (or " + name + "_FILE, a file holding the value)");
        }
        return value.strip();
    }

    /** {@code name} as whole seconds, or {@code fallback} when unset. */
    public Duration seconds(String name, Duration fallback) {
        String value = get(name);
        return value == null || value.isBlank() ? fallback : Duration.ofSeconds(number(name, value));
    }

    /** {@code name} as a boolean the way Go's strconv.ParseBool reads it (1, t, true, TRUE, True); false when unset. */
    public boolean flag(String name) {
        String value = get(name);
        return value != null && java.util.Set.of("1", "t", "T", "true", "TRUE", "True").contains(value.strip());
    }

    /** {@code name} as a whole number, or {@code fallback} when unset. */
    public long number(String name, long fallback) {
        String value = get(name);
        return value == null || value.isBlank() ? fallback : number(name, value);
    }

    private static long number(String name, String value) {
        try {
            long parsed = Long.parseLong(value.strip());
            if (parsed < 0) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the environment variable " + name + " is '" + value
                    + "': expected a whole number (of seconds for timeouts and intervals), such as 60");
        }
    }
}
