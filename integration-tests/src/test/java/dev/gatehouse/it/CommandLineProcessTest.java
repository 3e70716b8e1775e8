package dev.gatehouse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as a user meets it, in a process of its own with stdout and stderr going to files (so never a
 * terminal): help, version, did-you-mean for wrong arguments, which stream each message goes to, and every exit
 * code docs/operations.md and docs/cli.md promise.
 */
class CommandLineProcessTest {

    @TempDir
    Path dir;

    private record Outcome(int status, String out, String err) {
        String both() {
            return "exit " + status + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
        }
    }

    /** Runs {@code gatehouse ARGS} as bin/gatehouse does; gives up (and fails) after 30 s. */
    private Outcome gatehouse(String... args) throws Exception {
        Process process = start(args);
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError("gatehouse still runs after 30 s: " + List.of(args));
            }
        } finally {
            process.destroyForcibly();
        }
        return outcome(process);
    }

    private Process start(String... args) throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", classPath, "dev.gatehouse.core.Gatehouse"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("GATEHOUSE_") || name.startsWith("TRAEFIK_"));
        return builder.start();
    }

    private Outcome outcome(Process process) throws Exception {
        return new Outcome(process.exitValue(), Files.readString(dir.resolve("stdout.txt"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("stderr.txt"), StandardCharsets.UTF_8));
    }

    private static void assertPlain(Outcome outcome) {
        assertFalse((outcome.out() + outcome.err()).contains("\u001b"), "colour codes in a pipe:\n" + outcome.both());
        assertFalse((outcome.out() + outcome.err()).matches("(?s).*(Exception|\tat ).*"),
                "a Java exception in a message:\n" + outcome.both());
    }

    private Path staticFile(String yaml) throws Exception {
        Path file = dir.resolve("gatehouse.yml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void helpListsCommandsFlagsAndWhereTheReferenceIsWhicheverWayItIsAskedFor() throws Exception {
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"-h"}, new String[] {"help"},
                new String[] {"--configFile=/nowhere.yml", "-h"})) {
            Outcome outcome = gatehouse(args);
            assertEquals(0, outcome.status(), outcome.both());
            assertTrue(outcome.out().contains("Usage:") && outcome.out().contains("Commands:")
                    && outcome.out().contains("  check ") && outcome.out().contains("  healthcheck ")
                    && outcome.out().contains("  plugins ") && outcome.out().contains("--configFile=FILE")
                    && outcome.out().contains("docs/configuration/static.md"), outcome.both());
            assertEquals("", outcome.err(), outcome.both());
            assertPlain(outcome);
        }
    }

    @Test
    void eachCommandHasItsOwnHelpWithItsExitCodes() throws Exception {
        for (String command : List.of("check", "plugins", "healthcheck", "version", "run")) {
            Outcome outcome = gatehouse(command, "--help");
            assertEquals(0, outcome.status(), outcome.both());
            assertTrue(outcome.out().startsWith("Usage: gatehouse " + (command.equals("run") ? "[run]" : command)),
                    outcome.both());
            assertPlain(outcome);
        }
        Outcome help = gatehouse("help", "check");
        assertTrue(help.out().startsWith("Usage: gatehouse check") && help.out().contains("Exit codes: 0"), help.both());
    }

    @Test
    void versionPrintsVersionCommitJvmAndTlsEngine() throws Exception {
        for (String flag : List.of("--version", "-v", "version")) {
            Outcome outcome = gatehouse(flag);
            assertEquals(0, outcome.status(), outcome.both());
            assertTrue(outcome.out().startsWith("Gatehouse ") && outcome.out().contains("\ncommit:")
                    && outcome.out().contains("\nJVM:        ") && outcome.out().contains(System.getProperty("java.vm.name"))
                    && outcome.out().contains("\nTLS engine: "), outcome.both());
            assertPlain(outcome);
        }
    }

    @Test
    void wrongArgumentsExit2OnStderrWithADidYouMean() throws Exception {
        Outcome command = gatehouse("chek");
        assertEquals(2, command.status(), command.both());
        assertTrue(command.err().contains("unknown command 'chek'; did you mean 'check'?"), command.both());

        Outcome key = gatehouse("check", "--entryPoints.web.adress=:0");
        assertEquals(2, key.status(), key.both());
        assertTrue(key.err().contains("unknown key 'entryPoints.web.adress'") && key.err().contains("did you mean 'address'?"),
                key.both());

        Outcome configFile = gatehouse("--configfil=gatehouse.yml");
        assertEquals(2, configFile.status(), configFile.both());
        assertTrue(configFile.err().contains("did you mean '--configFile'?"), configFile.both());

        Outcome singleDash = gatehouse("-configFile=gatehouse.yml");
        assertEquals(2, singleDash.status(), singleDash.both());
        assertTrue(singleDash.err().contains("did you mean '--configFile=gatehouse.yml'?"), singleDash.both());
        for (Outcome outcome : List.of(command, key, configFile, singleDash)) {
            assertEquals("", outcome.out(), outcome.both());
            assertPlain(outcome);
        }
    }

    @Test
    void runExits2OnAStaticConfigurationErrorAnd1OnAnAddressInUseNamingIt() throws Exception {
        Outcome configurationError = gatehouse("--configFile=" + staticFile("entryPoints:\n  web:\n    adress: \":0\"\n"));
        assertEquals(2, configurationError.status(), configurationError.both());
        assertTrue(configurationError.err().contains("gatehouse.yml:3") && configurationError.err().contains("did you mean"),
                configurationError.both());

        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            Outcome inUse = gatehouse("--configFile=" + staticFile("entryPoints:\n  web:\n    address: \"127.0.0.1:"
                    + taken.getLocalPort() + "\"\n"));
            assertEquals(1, inUse.status(), inUse.both());
            assertTrue(inUse.err().contains("cannot listen on entry point web (127.0.0.1:" + taken.getLocalPort()
                    + "): address already in use"), inUse.both());
            // Linux tells which process holds it: this test's JVM.
            if (Files.isReadable(Path.of("/proc/net/tcp"))) {
                assertTrue(inUse.err().contains("by pid " + ProcessHandle.current().pid()), inUse.both());
            }
            assertFalse(inUse.err().contains("configuration has errors"), inUse.both());
            assertPlain(inUse);
        }
    }

    @Test
    void runExits0AfterSigterm() throws Exception {
        Path config = staticFile("entryPoints:\n  web:\n    address: \"127.0.0.1:0\"\nping: {}\n");
        Process process = start("--configFile=" + config);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!Files.readString(dir.resolve("stderr.txt")).contains(" ready in ") && System.nanoTime() < deadline
                    && process.isAlive()) {
                Thread.sleep(50);
            }
            assertTrue(process.isAlive(), () -> "stopped before ready");
            process.destroy();   // SIGTERM
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "no graceful stop within 20 s");
        } finally {
            process.destroyForcibly();
        }
        Outcome outcome = outcome(process);
        assertEquals(0, outcome.status(), outcome.both());
        assertPlain(outcome);
    }

    /** Starts the gateway, waits (bounded) for its ready line, runs {@code whileRunning}, stops it; returns its log. */
    private String runUntilReady(Path config, ThrowingConsumer<String> whileRunning) throws Exception {
        Process process = start("--configFile=" + config, "--plugins.dir=" + PLUGINS);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String log = "";
            while (!log.contains(" ready in ") && System.nanoTime() < deadline && process.isAlive()) {
                Thread.sleep(50);
                log = Files.readString(dir.resolve("stderr.txt"));
            }
            assertTrue(log.contains(" ready in "), log);
            whileRunning.accept(log);
            return log;
        } finally {
            process.destroy();
            process.waitFor(20, TimeUnit.SECONDS);
            process.destroyForcibly();
        }
    }

    private interface ThrowingConsumer<T> {
        void accept(T value) throws Exception;
    }

    /** The bundled plugins, as the build prepares them for the integration tests. */
    private static final Path PLUGINS = Path.of(System.getProperty("gatehouse.it.plugins", "target/plugins"));

    @Test
    void theReadyLineShowsHttpsForTlsEntryPointsAndNoDemoHintBehindARedirection() throws Exception {
        String log = runUntilReady(staticFile("""
                entryPoints:
                  web:
                    address: "127.0.0.1:0"
                    http:
                      redirections:
                        entryPoint:
                          to: websecure
                  websecure:
                    address: "127.0.0.1:0"
                    http:
                      tls: {}
                demo: {}
                """), ready -> { });
        String ready = log.lines().filter(line -> line.contains(" ready in ")).findFirst().orElseThrow();
        assertTrue(ready.matches(".*entry point web on http://127\\.0\\.0\\.1:\\d+/ \\(redirects to websecure\\), "
                + "entry point websecure on https://127\\.0\\.0\\.1:\\d+/$"), ready);
    }

    @Test
    void withFlagsAloneTheFirstLineSaysSoNotTheEmbeddedDefault() throws Exception {
        Process process = start("--entryPoints.web.address=127.0.0.1:0", "--plugins.dir=" + PLUGINS);
        try {
            String log = Poll.untilValue("the ready line", java.time.Duration.ofSeconds(30),
                    () -> Files.readString(dir.resolve("stderr.txt")), text -> text.contains(" ready in ")
                            || !process.isAlive());
            String first = log.lines().filter(line -> line.contains(" starting with ")).findFirst().orElseThrow();
            assertTrue(first.endsWith("starting with the command-line flags and environment variables (no configuration"
                    + " file)"), first);
        } finally {
            process.destroy();
            process.waitFor(20, TimeUnit.SECONDS);
            process.destroyForcibly();
        }
    }

    @Test
    void theDemoPageAnswersOn127001AsOnLocalhost() throws Exception {
        runUntilReady(staticFile("entryPoints:\n  web:\n    address: \"127.0.0.1:0\"\ndemo: {}\n"), log -> {
            String ready = log.lines().filter(line -> line.contains(" ready in ")).findFirst().orElseThrow();
            assertTrue(ready.contains("; open http://localhost:"), ready);
            java.util.regex.Matcher port = java.util.regex.Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+)/")
                    .matcher(ready);
            assertTrue(port.find(), ready);
            java.net.http.HttpResponse<String> page = Http.get("http://127.0.0.1:" + port.group(1) + "/");
            assertEquals(200, page.statusCode(), page.body());
            assertTrue(page.body().contains("Gatehouse is running"), page.body());
        });
    }

    @Test
    void checkExits0WhenValid1OnErrorsOnStderrAnd2WhenTheStaticFileCannotBeRead() throws Exception {
        Outcome valid = gatehouse("check", "--configFile=" + staticFile("entryPoints:\n  web:\n    address: \":0\"\n"));
        assertEquals(0, valid.status(), valid.both());
        assertTrue(valid.out().contains("the configuration is valid"), valid.both());

        Outcome errors = gatehouse("check", "--configFile=" + staticFile("entryPoints:\n  web:\n    address: \":0\"\n"
                + "providers:\n  nosuch: {}\n"));
        assertEquals(1, errors.status(), errors.both());
        assertTrue(errors.err().contains("gatehouse check: 1 error") && errors.err().contains("nosuch"), errors.both());
        assertFalse(errors.out().contains("nosuch"), errors.both());

        Outcome unreadable = gatehouse("check", "--configFile=" + dir.resolve("missing.yml"));
        assertEquals(2, unreadable.status(), unreadable.both());
        assertTrue(unreadable.err().contains("missing.yml"), unreadable.both());
        for (Outcome outcome : List.of(valid, errors, unreadable)) {
            assertPlain(outcome);
        }
    }

    @Test
    void healthcheckExits1WithAPlainMessageWhenNothingAnswers() throws Exception {
        int freePort;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            freePort = probe.getLocalPort();
        }
        Outcome down = gatehouse("healthcheck", "--configFile=" + staticFile("entryPoints:\n  traefik:\n    address: \"127.0.0.1:"
                + freePort + "\"\nping: {}\n"));
        assertEquals(1, down.status(), down.both());
        assertTrue(down.out().contains("http://127.0.0.1:" + freePort + "/ping did not answer: connection refused"),
                down.both());
        assertPlain(down);

        Outcome noPing = gatehouse("healthcheck", "--configFile=" + staticFile("entryPoints:\n  web:\n    address: \":0\"\n"));
        assertEquals(1, noPing.status(), noPing.both());
        assertTrue(noPing.out().contains("ping is not enabled"), noPing.both());
    }

    @Test
    void pluginsExits1WhenThePluginsFolderIsMissing() throws Exception {
        Outcome outcome = gatehouse("plugins", "--configFile=" + staticFile("entryPoints:\n  web:\n    address: \":0\"\n"),
                "--plugins.dir=" + dir.resolve("no-plugins"));
        assertEquals(1, outcome.status(), outcome.both());
        assertTrue(outcome.out().contains("the folder does not exist"), outcome.both());
        assertPlain(outcome);
    }
}
