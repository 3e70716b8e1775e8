package dev.gatehouse.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** `gatehouse version` names the commit a build came from without anyone passing it in (issue 16: "unknown"). */
class VersionTest {

    @Test
    void theCommitIsTheCheckoutsHeadWhenBuiltFromGit() throws Exception {
        String head = git("rev-parse", "--short=12", "HEAD");
        if (head == null) {
            assertEquals("unknown", Version.commit(), "built outside a git checkout");
            return;
        }
        String commit = Version.commit();
        assertTrue(commit.equals(head) || commit.equals(head + "-modified"),
                "version names " + commit + ", the checkout is at " + head);
    }

    @Test
    void theVersionIsTheProjects() {
        assertTrue(Version.get().matches("\\d+\\.\\d+\\.\\d+.*"), Version.get());
    }

    /** What git prints for {@code args} in this module's folder, or null without git or a checkout. */
    private static String git(String... args) throws InterruptedException {
        String[] command = new String[args.length + 1];
        command[0] = "git";
        System.arraycopy(args, 0, command, 1, args.length);
        try {
            Process process = new ProcessBuilder(command).directory(Path.of("").toAbsolutePath().toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        }
    }
}
