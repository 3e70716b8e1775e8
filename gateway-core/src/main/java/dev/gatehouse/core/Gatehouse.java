package dev.gatehouse.core;

import dev.gatehouse.core.config.ConfigurationException;
import dev.gatehouse.core.config.LoadedConfiguration;
import dev.gatehouse.core.config.StaticConfigurationLoader;
import dev.gatehouse.core.logging.Logging;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * The command line: {@code gatehouse [--configFile=FILE] [--key=value ...]} runs the gateway;
 * {@code gatehouse check [flags]} validates the configuration without starting; {@code gatehouse healthcheck
 * [flags]} asks a running gateway's {@code /ping}; {@code gatehouse plugins [flags]} lists the plugins folder and
 * whether each plugin would load; {@code gatehouse version}. Running exits 0 after a graceful
 * stop on SIGTERM or SIGINT, 2 on a configuration error, 1 on any other failure to start.
 */
public final class Gatehouse {

    private Gatehouse() {
    }

    public static void main(String[] args) {
        List<String> arguments = Arrays.asList(args);
        String command = arguments.isEmpty() ? "run" : arguments.get(0);
        if (command.equals("--version")) {
            command = "version";
        } else if (command.startsWith("-")) {
            command = "run";
        }
        List<String> flags = command.equals("run") ? arguments : arguments.subList(1, arguments.size());
        switch (command) {
            case "version" -> System.out.println("Gatehouse " + Version.get());
            case "run" -> run(flags);
            case "check" -> System.exit(withConfiguration(flags, loaded -> CheckCommand.run(loaded, System.out)));
            case "plugins" -> System.exit(withConfiguration(flags, loaded -> PluginsCommand.run(loaded, System.out)));
            case "healthcheck" ->
                    System.exit(withConfiguration(flags, loaded -> HealthcheckCommand.run(loaded, System.out)));
            default -> {
                System.err.println("gatehouse: unknown command '" + command + "' (commands: version, check, plugins, healthcheck;"
                        + " or flags such as --configFile=FILE to run)");
                System.exit(2);
            }
        }
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
            System.out.println("gatehouse: the static configuration has errors:");
            e.problems().forEach(problem -> System.out.println("  - " + problem));
            return 2;
        }
        return command.run(loaded);
    }

    private static Path home() {
        String homeProperty = System.getProperty("gatehouse.home");
        return homeProperty == null || homeProperty.isBlank() ? null : Path.of(homeProperty).toAbsolutePath().normalize();
    }

    private static void run(List<String> arguments) {
        GatewayApplication application;
        try {
            LoadedConfiguration loaded = StaticConfigurationLoader.load(arguments, System.getenv(),
                    Path.of("").toAbsolutePath(), home());
            application = GatewayApplication.start(loaded);
        } catch (ConfigurationException e) {
            System.err.println("gatehouse: the configuration has errors:");
            e.problems().forEach(problem -> System.err.println("  - " + problem));
            System.exit(2);
            return;
        } catch (Exception e) {
            System.err.println("gatehouse: cannot start: " + e);
            e.printStackTrace();
            System.exit(1);
            return;
        }

        // A JVM killed by SIGTERM exits 143; Gatehouse stops gracefully and exits 0, as Traefik does.
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), signal -> stop.countDown());
        Signal.handle(new Signal("INT"), signal -> stop.countDown());
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
