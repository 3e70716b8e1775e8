package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.core.dynamic.ConfigElement;
import dev.gatehouse.core.dynamic.ConfigProblem;
import dev.gatehouse.core.dynamic.ProblemKind;
import dev.gatehouse.testkit.TestGateway;
import java.util.Arrays;
import java.util.List;

/**
 * Assertions on the runtime model the API shows (an element's problems by subject, kind and file), so that a test of
 * what the gateway does fails on what it does, not on a rewording of a message.
 */
final class ModelAssertions {

    private ModelAssertions() {
    }

    /**
     * Asserts that {@code subject} has a problem of {@code kind} from {@code file} in the configuration applied now.
     *
     * @param words parts its message must hold, only where the message is itself what is tested (which limit refused
     *     a regular expression); none otherwise
     */
    static void assertProblem(TestGateway gateway, String file, ConfigElement subject, ProblemKind kind,
            String... words) {
        List<ConfigProblem> problems = gateway.model().problems(subject);
        boolean found = problems.stream().anyMatch(problem -> problem.kind() == kind
                && String.valueOf(problem.origin()).contains(file)
                && Arrays.stream(words).allMatch(problem.message()::contains));
        assertTrue(found, "a " + kind + " problem of " + subject + " from " + file
                + (words.length == 0 ? "" : " saying " + List.of(words)) + " in " + gateway.model().problems());
    }

    /** Asserts that none of these elements has a problem in the configuration applied now. */
    static void assertNoProblem(TestGateway gateway, ConfigElement... subjects) {
        for (ConfigElement subject : subjects) {
            assertTrue(gateway.model().problems(subject).isEmpty(), subject + ": " + gateway.model().problems());
        }
    }
}
