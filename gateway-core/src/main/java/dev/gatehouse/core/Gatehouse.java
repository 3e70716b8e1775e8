package dev.gatehouse.core;

import dev.gatehouse.core.config.ConfigurationException;
import dev.gatehouse.core.config.LoadedConfiguration;
import dev.gatehouse.core.config.StaticConfigurationLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * The command line: {@code gatehouse version}, or {@code gatehouse [--configFile=FILE] [--key=value ...]}
 * to run. Exits 0 after a graceful stop on SIGTERM or SIGINT, 2 on a configuration error, 1 on any other
 * failure to start.
 */
public final class Gatehouse {

    private Gatehouse() {
    }

    public static void main(String[] args) {
        List<String> arguments = Arrays.asList(args);
        if (!arguments.isEmpty() && (arguments.get(0).equals("version") || arguments.get(0).equals("--version"))) {
            System.out.println("Gatehouse " + Version.get());
            return;
        }
        String homeProperty = System.getProperty("gatehouse.home");
        Path home = homeProperty == null || homeProperty.isBlank() ? null : Path.of(homeProperty).toAbsolutePath().normalize();
        GatewayApplication application;
        try {
            LoadedConfiguration loaded = StaticConfigurationLoader.load(arguments, System.getenv(),
                    Path.of("").toAbsolutePath(), home);
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
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        application.stop();
        System.exit(0);
    }
}
