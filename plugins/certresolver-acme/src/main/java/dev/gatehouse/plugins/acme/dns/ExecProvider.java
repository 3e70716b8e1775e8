package dev.gatehouse.plugins.acme.dns;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code provider: exec}: runs the program {@code EXEC_PATH} to add and remove the record, as lego does:
 * {@code program present|cleanup <fqdn> <value>}, or with {@code EXEC_MODE=RAW}
 * {@code program present|cleanup -- <domain> <token> <keyAuth>}. Its output is logged; a non-zero exit status
 * fails the challenge. Timing: {@code EXEC_PROPAGATION_TIMEOUT} (60 s), {@code EXEC_POLLING_INTERVAL} (2 s),
 * {@code EXEC_SEQUENCE_INTERVAL} (60 s). A program still running after the propagation timeout plus a minute is
 * stopped (lego waits for ever).
 */
final class ExecProvider implements DnsProvider {

    static final String NAME = "exec";
    private static final Logger LOG = LoggerFactory.getLogger(ExecProvider.class);

    private final String program;
    private final boolean raw;
    private final Timing timing;

    ExecProvider(LegoEnvironment env) {
        this.program = env.require("EXEC_PATH", NAME);
        this.raw = "RAW".equals(env.get("EXEC_MODE"));
        this.timing = Timing.read(env, "EXEC_", true);
    }

    @Override
    public void present(ChallengeRecord record) throws IOException, InterruptedException {
        run("present", record);
    }

    @Override
    public void cleanup(ChallengeRecord record) throws IOException, InterruptedException {
        run("cleanup", record);
    }

    private void run(String action, ChallengeRecord record) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(program, action));
        command.addAll(raw ? List.of("--", record.domain(), record.token(), record.keyAuthorization())
                : List.of(record.fqdn(), record.value()));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new DnsChallengeException("exec: EXEC_PATH " + program + " cannot be run: " + e.getMessage(), e);
        }
        Deque<String> lastLines = new ArrayDeque<>();
        try (BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = output.readLine()) != null) {
                LOG.info("exec {} {}: {}", action, record.domain(), line);
                lastLines.addLast(line);
                if (lastLines.size() > 5) {
                    lastLines.removeFirst();
                }
            }
        }
        long limit = timing.propagationTimeout().toSeconds() + 60;
        if (!process.waitFor(limit, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new DnsChallengeException("exec: " + program + " " + action + " for " + record.domain() + " still ran after "
                    + limit + " s and was stopped");
        }
        if (process.exitValue() != 0) {
            throw new DnsChallengeException("exec: " + program + " " + action + " for " + record.domain() + " exited with "
                    + process.exitValue() + (lastLines.isEmpty() ? "" : ": " + String.join(" | ", lastLines)));
        }
    }

    @Override
    public Timing timing() {
        return timing;
    }
}
