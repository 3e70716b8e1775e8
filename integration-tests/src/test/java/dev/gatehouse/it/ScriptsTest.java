package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The project's scripts as a user runs them from a clone: run.sh and scripts/docker-engine.sh. */
class ScriptsTest {

    /** The project's root: integration-tests' parent. */
    private static final Path PROJECT = Path.of("").toAbsolutePath().getParent();

    @TempDir
    Path dir;

    private record Outcome(int status, String output) {
    }

    private static Outcome run(Path workingDirectory, Map<String, String> environment, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "still running after 30 s: " + List.of(command));
        return new Outcome(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    private static void executable(Path file, String text) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void dockerEngineScriptRunDirectlySaysHowToUseIt() throws Exception {
        Outcome help = run(PROJECT, Map.of(), "bash", "scripts/docker-engine.sh", "--help");
        assertEquals(0, help.status(), help.output());
        assertTrue(help.output().startsWith("usage: scripts/docker-engine.sh [DIR]")
                && help.output().contains("stops it") && help.output().contains("Needs root and dockerd"), help.output());
        Outcome wrong = run(PROJECT, Map.of(), "bash", "scripts/docker-engine.sh", "--nope");
        assertEquals(2, wrong.status(), wrong.output());
        assertTrue(wrong.output().contains("unknown option '--nope'"), wrong.output());
    }

    /**
     * run.sh in a copy of the project's layout, with a stand-in for Maven that records being called and a stand-in
     * distribution: nothing changed since its last build, it starts at once, without Maven; a changed source builds.
     */
    @Test
    void runShSkipsTheBuildWhenNothingChangedAndPrintsNoColourCodes() throws Exception {
        Path clone = dir.resolve("clone");
        Files.createDirectories(clone);
        Files.copy(PROJECT.resolve("run.sh"), clone.resolve("run.sh"));
        Files.setPosixFilePermissions(clone.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(clone.resolve("pom.xml"), "<project/>\n");
        Path source = clone.resolve("gateway-core/src/main/java/A.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "class A {}\n");
        Path mavenCalls = dir.resolve("mvn-calls");
        executable(dir.resolve("bin/mvn"), "#!/bin/sh\necho \"$*\" >> " + mavenCalls + "\n"
                + "mkdir -p distribution/target/gatehouse-1.0/bin\n"
                + "printf '#!/bin/sh\\necho \"gatehouse $*\"\\n' > distribution/target/gatehouse-1.0/bin/gatehouse\n"
                + "chmod +x distribution/target/gatehouse-1.0/bin/gatehouse\n");
        Map<String, String> environment = Map.of("PATH", dir.resolve("bin") + ":" + System.getenv("PATH"));
        // Sources older than the build, as they are after a checkout.
        for (Path file : List.of(clone.resolve("pom.xml"), source, clone.resolve("run.sh"))) {
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(600)));
        }

        Outcome first = run(clone, environment, "./run.sh", "version");
        assertEquals(0, first.status(), first.output());
        assertEquals(1, Files.readAllLines(mavenCalls).size(), first.output());

        Outcome second = run(clone, environment, "./run.sh", "version");
        assertEquals(0, second.status(), second.output());
        assertEquals(1, Files.readAllLines(mavenCalls).size(), "built again though nothing changed: " + second.output());
        assertTrue(second.output().startsWith("run.sh: nothing changed since the last build")
                && second.output().contains("gatehouse version"), second.output());
        assertFalse(second.output().contains("\u001b"), second.output());

        Files.writeString(source, "class A { int changed; }\n");
        Files.setLastModifiedTime(source, FileTime.from(Instant.now().plusSeconds(5)));
        Outcome third = run(clone, environment, "./run.sh", "version");
        assertEquals(0, third.status(), third.output());
        assertEquals(2, Files.readAllLines(mavenCalls).size(), "a changed source must be built: " + third.output());
    }
}
