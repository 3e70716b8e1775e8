package dev.gatehouse.core;

import dev.gatehouse.core.config.ConfigurationException;
import dev.gatehouse.core.config.LoadedConfiguration;
import dev.gatehouse.core.config.StaticConfigurationLoader;
import dev.gatehouse.core.logging.Logging;
import dev.gatehouse.core.tls.TlsEngine;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The command line: {@code gatehouse [--configFile=FILE] [--key=value ...]} runs the gateway;
 * {@code gatehouse check [flags]} validates the configuration without starting; {@code gatehouse healthcheck
 * [flags]} asks a running gateway's {@code /ping}; {@code gatehouse plugins [flags]} lists the plugins folder and
 * whether each plugin would load; {@code gatehouse version}; {@code --help} with any of them. Running exits 0 after
 * a graceful stop on SIGTERM or SIGINT, 2 on a configuration error or wrong arguments, 1 on any other failure to
 * start (docs/operations.md). Nothing is printed in colour, so nothing differs between a terminal and a pipe.
 */
public final class Gatehouse {

    /** Exit status: wrong arguments, or a static configuration with errors. */
    static final int USAGE_OR_CONFIGURATION = 2;

    private Gatehouse() {
    }

    public static void main(String[] args) {
        CommandLine.Parsed parsed = CommandLine.parse(Arrays.asList(args));
        String command = parsed.command();
        if (!CommandLine.COMMANDS.containsKey(command)) {
            System.err.println("gatehouse: " + CommandLine.unknownCommand(command));
            System.exit(USAGE_OR_CONFIGURATION);
            return;
        }
        if (parsed.help()) {
            System.out.print(parsed.named() ? CommandLine.help(command) : CommandLine.help());
            System.exit(0);
            return;
        }
        if (!parsed.usageErrors().isEmpty()) {
            parsed.usageErrors().forEach(error -> System.err.println("gatehouse: " + error));
            System.err.println("gatehouse: see gatehouse --help");
            System.exit(USAGE_OR_CONFIGURATION);
            return;
        }
        List<String> flags = parsed.flags();
        switch (command) {
            case "version" -> {
                Logging.configure("OFF", "text");
                System.out.print(versionText());
                System.exit(0);
            }
            case "run" -> run(flags);
            case "check" -> System.exit(withConfiguration(flags,
                    loaded -> CheckCommand.run(loaded, System.out, System.err)));
            case "plugins" -> System.exit(withConfiguration(flags, loaded -> PluginsCommand.run(loaded, System.out)));
            case "healthcheck" ->
                    System.exit(withConfiguration(flags, loaded -> HealthcheckCommand.run(loaded, System.out)));
            default -> throw new IllegalStateException("command without an implementation: " + command);
        }
    }

    /** {@code gatehouse version}: what a bug report needs. */
    static String versionText() {
        String tls;
        try {
            // What the default, tlsEngine: auto, picks on this machine.
            tls = TlsEngine.of(null).describe() + " (tlsEngine: auto)";
        } catch (RuntimeException | LinkageError e) {
            tls = TlsEngine.JDK.describe();
        }
        return "Gatehouse " + Version.get() + "\n"
                + "commit:     " + Version.commit() + "\n"
                + "JVM:        " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vendor") + ")\n"
                + "OS:         " + System.getProperty("os.name") + " " + System.getProperty("os.arch") + "\n"
                + "TLS engine: " + tls + "\n";
    }

    private interface Command {
        int run(LoadedConfiguration loaded);
    }

    /** Loads the static configuration for a command; prints its errors and returns 2 when it has some. */
    private static int withConfiguration(List<String> flags, Command command) {
        Logging.configure("OFF", "text");   // the command prints what matters itself
        LoadedConfiguration loaded;
        try {
            loaded = StaticConfigurationLoader.load(flags, System.getenv(), Path.of("").toAbsolutePath(), home());
        } catch (ConfigurationException e) {
            System.err.println("gatehouse: the static configuration has errors:");
            e.problems().forEach(problem -> System.err.println("  - " + problem));
            return USAGE_OR_CONFIGURATION;
        }
        return command.run(loaded);
    }

    private static Path home() {
        String homeProperty = System.getProperty("gatehouse.home");
        return homeProperty == null || homeProperty.isBlank() ? null : Path.of(homeProperty).toAbsolutePath().normalize();
    }

    private static void run(List<String> arguments) {
        // A JVM killed by SIGTERM exits 143; Gatehouse stops gracefully and exits 0, as Traefik does. The handlers
        // are in place before the start, whose "ready" line a supervisor may answer with a SIGTERM at once: one
        // that arrives while starting is kept, and the gateway stops as soon as it has started.
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), signal -> stop.countDown());
        Signal.handle(new Signal("INT"), signal -> stop.countDown());
        GatewayApplication application;
        try {
            LoadedConfiguration loaded = StaticConfigurationLoader.load(arguments, System.getenv(),
                    Path.of("").toAbsolutePath(), home());
            application = GatewayApplication.start(loaded);
        } catch (ConfigurationException e) {
            System.err.println("gatehouse: the configuration has errors:");
            e.problems().forEach(problem -> System.err.println("  - " + problem));
            System.exit(USAGE_OR_CONFIGURATION);
            return;
        } catch (CannotListenException e) {
            LoggerFactory.getLogger(Gatehouse.class).debug("binding the entry points failed", e.getCause());
            for (String line : e.getMessage().split("\n")) {
                System.err.println("gatehouse: " + line);
            }
            System.exit(1);
            return;
        } catch (Exception e) {
            // The Java exception and its stack are for DEBUG (log.level: DEBUG); the user reads what failed.
            LoggerFactory.getLogger(Gatehouse.class).debug("start failed", e);
            System.err.println("gatehouse: cannot start: " + (e.getMessage() == null
                    ? "an internal error; run with --log.level=DEBUG for the details" : e.getMessage()));
            System.exit(1);
            return;
        }

        Signal.handle(new Signal("USR1"), signal -> application.reopenLogs());
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        application.stop();
        System.exit(0);
    }
}
