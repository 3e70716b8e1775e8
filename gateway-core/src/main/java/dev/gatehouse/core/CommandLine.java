package dev.gatehouse.core;

import dev.gatehouse.core.config.ConfigBinder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the arguments of {@code gatehouse} ask for, read the way command-line tools usually are: a command
 * ({@code run} when there is none), {@code --help}/{@code -h}/{@code help} anywhere, {@code --version}/{@code -v},
 * and the static configuration flags ({@code --entryPoints.web.address=:80}), which are passed on untouched to the
 * configuration loader. picocli is not among the project's pinned dependencies, hence this small parser; the
 * configuration flags are open-ended (every static key is one), so a declarative flag parser would not fit them
 * anyway.
 */
final class CommandLine {

    /** The commands, in the order help lists them, with their one-line summaries. */
    static final Map<String, String> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("run", "run the gateway (the default when no command is given)");
        COMMANDS.put("check", "validate the static and dynamic configuration and the plugins, without listening");
        COMMANDS.put("healthcheck", "ask the running gateway's /ping (for container health checks)");
        COMMANDS.put("plugins", "list the plugins folder and whether each plugin would load");
        COMMANDS.put("version", "print the version, commit, JVM and TLS engine");
        COMMANDS.put("help", "print this help, or a command's help (gatehouse help check)");
    }

    /**
     * @param command     the command to run (one of {@link #COMMANDS})
     * @param flags       the configuration flags, for the commands that read the configuration
     * @param help        help was asked for: about {@code command} when it was named, else the general help
     * @param named       the command was named on the command line (rather than {@code run} by default)
     * @param usageErrors arguments that are neither a command nor a flag, each with what to write instead
     */
    record Parsed(String command, List<String> flags, boolean help, boolean named, List<String> usageErrors) {
    }

    private CommandLine() {
    }

    static Parsed parse(List<String> arguments) {
        String command = null;
        boolean help = false;
        boolean version = false;
        List<String> flags = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < arguments.size(); i++) {
            String argument = arguments.get(i);
            switch (argument) {
                case "--help", "-h", "-help", "-?" -> help = true;
                case "--version", "-v", "-version" -> version = true;
                default -> {
                    if (argument.startsWith("--")) {
                        String misspeltConfigFile = misspeltConfigFile(argument);
                        if (misspeltConfigFile != null) {
                            errors.add(misspeltConfigFile);
                        } else {
                            flags.add(argument);
                        }
                    } else if (argument.startsWith("-")) {
                        errors.add(argument.length() > 2 && !argument.startsWith("--")
                                ? "argument '" + argument + "': flags start with two dashes; did you mean '-"
                                        + argument + "'?"
                                : "argument '" + argument + "': unknown option (options: -h/--help, -v/--version;"
                                        + " configuration flags look like --entryPoints.web.address=:80)");
                    } else if (command == null && (flags.isEmpty() || COMMANDS.containsKey(argument))) {
                        command = argument;   // bin/gatehouse puts --configFile first: the command may follow flags
                    } else if ("help".equals(command) && i == 1) {
                        command = argument;   // gatehouse help check
                        help = true;
                    } else {
                        errors.add("argument '" + argument + "': not a flag (flags look like"
                                + " --entryPoints.web.address=:80)");
                    }
                }
            }
        }
        boolean named = command != null && !command.equals("help");
        if (command == null || command.equals("help")) {
            help |= "help".equals(command);
            command = version && !help ? "version" : "run";
        }
        return new Parsed(command, List.copyOf(flags), help, named, List.copyOf(errors));
    }

    /** The message for an unknown command, with the closest one when it looks like a misspelling. */
    static String unknownCommand(String command) {
        String suggestion = ConfigBinder.closestKey(command, COMMANDS.keySet());
        return "unknown command '" + command + "'"
                + (suggestion == null ? "" : "; did you mean '" + suggestion + "'?")
                + " (commands: " + String.join(", ", COMMANDS.keySet()) + "; gatehouse --help lists them)";
    }

    /**
     * {@code --configFile} is read by the loader itself and is no key of the configuration, so the binder's own
     * did-you-mean cannot suggest it: a flag whose key is a near miss of it gets its message here.
     */
    private static String misspeltConfigFile(String flag) {
        int equals = flag.indexOf('=');
        String key = flag.substring(2, equals < 0 ? flag.length() : equals);
        if (key.equalsIgnoreCase("configFile") || key.contains(".")
                || ConfigBinder.closestKey(key, Set.of("configFile")) == null) {
            return null;
        }
        return "flag " + flag + ": unknown flag '--" + key + "'; did you mean '--configFile'?";
    }

    /** {@code gatehouse --help}. */
    static String help() {
        StringBuilder text = new StringBuilder();
        text.append("""
                Gatehouse: an edge router that reads Traefik's configuration.

                Usage:
                  gatehouse [COMMAND] [--configFile=FILE] [--static.configuration.key=value ...]

                Commands:
                """);
        COMMANDS.forEach((name, summary) -> text.append(String.format(Locale.ROOT, "  %-12s %s%n", name, summary)));
        text.append("""

                Flags:
                  --configFile=FILE   the static configuration file (YAML or TOML); without it, the first
                                      gatehouse.yml, .yaml or .toml in the working directory, then in the
                                      installation's conf/ (bin/gatehouse passes conf/gatehouse.yml)
                  --KEY=VALUE         any static configuration key, as in Traefik: --entryPoints.web.address=:80,
                                      --providers.file.directory=conf/dynamic, --api.insecure, --log.level=DEBUG
                                      (also as environment variables: GATEHOUSE_ENTRYPOINTS_WEB_ADDRESS=:80)
                  -h, --help          this help; gatehouse COMMAND --help for a command's
                  -v, --version       the version, commit, JVM and TLS engine

                Exit codes: 0 success; 1 failure (a gateway that cannot start, check found errors, an unhealthy
                gateway); 2 wrong arguments or a static configuration with errors.

                Reference: docs/cli.md (commands), docs/configuration/static.md (every static key),
                docs/operations.md (running it), docs/getting-started.md (first steps).
                """);
        return text.toString();
    }

    /** {@code gatehouse COMMAND --help}. */
    static String help(String command) {
        String common = """

                Flags: --configFile=FILE and any static configuration key (--entryPoints.web.address=:80), read
                exactly as the gateway reads them. Reference: docs/cli.md.
                """;
        return switch (command) {
            case "check" -> """
                    Usage: gatehouse check [--configFile=FILE] [--KEY=VALUE ...]

                    Validates the static configuration, the plugins and what each provider reads (the file
                    provider's files), building the routing tables as the gateway would, without listening on any
                    port. Prints every problem on stderr with the file and line, flag or variable it comes from.

                    Exit codes: 0 the configuration is valid; 1 it has errors; 2 the static configuration cannot
                    be read (or the arguments are wrong).
                    """ + common;
            case "healthcheck" -> """
                    Usage: gatehouse healthcheck [--configFile=FILE] [--KEY=VALUE ...]

                    Asks GET /ping on the ping entry point of the running gateway found through the same static
                    configuration (on 127.0.0.1 when the entry point listens on every interface), as a container
                    HEALTHCHECK does. Needs ping: {} in the static configuration.

                    Exit codes: 0 /ping answered 200; 1 it did not (or ping is not enabled); 2 the static
                    configuration cannot be read.
                    """ + common;
            case "plugins" -> """
                    Usage: gatehouse plugins [--configFile=FILE] [--KEY=VALUE ...]

                    Lists the plugins folder (plugins.directory) and, for each plugin, whether it would load and
                    what it provides, or why it would not; the plugins are loaded as the gateway would, then
                    unloaded.

                    Exit codes: 0 every plugin that is not disabled would load; 1 one would not; 2 the static
                    configuration cannot be read.
                    """ + common;
            case "version" -> """
                    Usage: gatehouse version   (or gatehouse --version, gatehouse -v)

                    Prints the version, the commit it was built from, the JVM and the TLS engine that
                    tlsEngine: auto would choose here. Exit code 0.
                    """;
            case "help" -> help();
            default -> """
                    Usage: gatehouse [run] [--configFile=FILE] [--KEY=VALUE ...]

                    Runs the gateway in the foreground until SIGTERM or SIGINT (Ctrl-C), then stops gracefully:
                    it stops accepting, lets requests in flight finish, and exits. SIGUSR1 reopens the log files.

                    Exit codes: 0 after a graceful stop; 2 the static configuration has errors (each printed on
                    stderr with where it comes from) or the arguments are wrong; 1 any other failure to start,
                    such as an address already in use.
                    """ + common;
        };
    }
}
