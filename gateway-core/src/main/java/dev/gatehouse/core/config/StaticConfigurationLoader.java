package dev.gatehouse.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.gatehouse.api.config.ConfigurationLimits;
import dev.gatehouse.api.config.KeyLines;
import dev.gatehouse.api.config.TomlKeyLines;
import dev.gatehouse.api.net.IpBlock;
import dev.gatehouse.core.config.dynamic.ServersTransportConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Loads the static configuration from a file, environment variables and flags, in that order of
 * precedence (a flag beats an environment variable, which beats the file).
 *
 * <p>Traefik reads one source only; Gatehouse layers them so that one flag can change one key of
 * a file. A Traefik user's single source works unchanged. Every problem found is reported, each
 * naming the key and where it came from.
 *
 * <pre>{@code
 * LoadedConfiguration loaded = StaticConfigurationLoader.load(List.of(args), System.getenv(),
 *         Path.of("").toAbsolutePath(), home);
 * }</pre>
 */
public final class StaticConfigurationLoader {

    /** The mapper every static section is bound with. */
    static final ObjectMapper MAPPER = ConfigMappers.strictMapper();

    static final String DEFAULT_RESOURCE = "dev/gatehouse/core/config/default-gatehouse.yml";
    private static final List<String> FILE_NAMES = List.of("gatehouse.yml", "gatehouse.yaml", "gatehouse.toml");
    private static final List<String> ENV_PREFIXES = List.of("TRAEFIK_", "GATEHOUSE_"); // later wins
    private static final Set<String> LAUNCHER_VARIABLES =
            Set.of("GATEHOUSE_OPTS", "GATEHOUSE_HOME", "GATEHOUSE_CONFIGFILE", "TRAEFIK_CONFIGFILE",
                    "GATEHOUSE_CDS", "GATEHOUSE_CDS_DIR");
    private static final String CONFIG_FILE_KEY = "configfile";

    private StaticConfigurationLoader() {
    }

    /**
     * Loads and validates the static configuration.
     *
     * @param args command-line flags ({@code --entryPoints.web.address=:80}, {@code --ping})
     * @param env the environment ({@code GATEHOUSE_*} and {@code TRAEFIK_*} are read)
     * @param workingDir where relative paths on the command line are resolved, and the first place
     *        {@code gatehouse.yml} is looked for
     * @param home the installation folder, whose {@code conf/} is the second place looked in; may be null
     * @throws ConfigurationException listing every problem found, across all sources
     */
    public static LoadedConfiguration load(List<String> args, Map<String, String> env, Path workingDir, Path home)
            throws ConfigurationException {
        Objects.requireNonNull(args, "args");
        Objects.requireNonNull(env, "env");
        Path cwd = Objects.requireNonNull(workingDir, "workingDir").toAbsolutePath().normalize();
        List<String> problems = new ArrayList<>();
        ConfigOrigins origins = new ConfigOrigins();
        ObjectNode root = JsonNodeFactory.instance.objectNode();

        Path configFile = findConfigFile(args, env, cwd, home, problems);
        boolean sourcesOk = problems.isEmpty();
        if (configFile != null) {
            sourcesOk = readFile(configFile, cwd, root, origins, problems);
        }
        sourcesOk &= readEnvironment(env, root, origins, problems);
        sourcesOk &= readFlags(args, root, origins, problems);
        if (configFile == null && sourcesOk && root.isEmpty()) {
            // Only when nothing at all is configured: a Traefik user who configures by flags or
            // environment alone must not find an extra entry point and the demo routes.
            sourcesOk = readDefault(root, origins, problems);
        }

        StaticConfiguration configuration = new ConfigBinder(MAPPER)
                .bind(root, StaticConfiguration.class, List.of(), origins, problems);
        if (configuration != null && sourcesOk) {
            validate(configuration, origins, problems);
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems);
        }
        Path base = configFile != null ? configFile.getParent() : cwd;
        return new LoadedConfiguration(configuration, configFile, base, home, origins);
    }

    // --- choosing the file -------------------------------------------------------------------

    private static Path findConfigFile(List<String> args, Map<String, String> env, Path cwd, Path home,
            List<String> problems) {
        String chosen = null;
        for (String prefix : ENV_PREFIXES) {
            String value = env.get(prefix + "CONFIGFILE");
            if (value != null && !value.isBlank()) {
                chosen = value;
            }
        }
        for (String arg : args) {
            Flag flag = Flag.parse(arg);
            if (flag != null && flag.key().equalsIgnoreCase(CONFIG_FILE_KEY)) {
                if (flag.value() == null || flag.value().isBlank()) {
                    problems.add("flag " + arg + ": needs a path (--configFile=PATH)");
                    return null;
                }
                chosen = flag.value();
            }
        }
        if (chosen != null) {
            Path file = cwd.resolve(chosen).normalize();
            if (!Files.isRegularFile(file)) {
                problems.add("configuration file not found: " + file);
                return null;
            }
            if (format(file) == null) {
                problems.add(file + ": unknown configuration file format (use .yml, .yaml or .toml)");
                return null;
            }
            return file;
        }
        List<Path> folders = new ArrayList<>();
        folders.add(cwd);
        if (home != null) {
            folders.add(home.toAbsolutePath().normalize().resolve("conf"));
        }
        for (Path folder : folders) {
            for (String name : FILE_NAMES) {
                Path candidate = folder.resolve(name);
                if (Files.isRegularFile(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    private static ObjectMapper format(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".yml") || name.endsWith(".yaml")) {
            return YAMLMapper.builder(ConfigMappers.boundedYamlFactory())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        }
        if (name.endsWith(".toml")) {
            return TomlMapper.builder(ConfigMappers.boundedTomlFactory())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        }
        return null;
    }

    // --- the file ----------------------------------------------------------------------------

    private static boolean readFile(Path file, Path cwd, ObjectNode root, ConfigOrigins origins,
            List<String> problems) {
        String display = file.startsWith(cwd) ? cwd.relativize(file).toString() : file.toString();
        byte[] content;
        try {
            // Checked before reading, so that an oversized file costs neither the memory nor the parser's time.
            String tooLarge = ConfigurationLimits.staticSizeProblem(Files.size(file));
            if (tooLarge != null) {
                problems.add(display + ": " + tooLarge);
                return false;
            }
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            problems.add(display + ": cannot read: " + e.getMessage());
            return false;
        }
        String sizeProblem = ConfigurationLimits.staticSizeProblem(content.length); // it may have grown since
        if (sizeProblem == null) {
            sizeProblem = ConfigurationLimits.lineProblem(content);
        }
        if (sizeProblem != null) {
            problems.add(display + ": " + sizeProblem);
            return false;
        }
        return readDocument(format(file), content, display, root, origins, problems);
    }

    private static boolean readDefault(ObjectNode root, ConfigOrigins origins, List<String> problems) {
        try (InputStream in = StaticConfigurationLoader.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                problems.add("the embedded default configuration " + DEFAULT_RESOURCE + " is missing");
                return false;
            }
            return readDocument(format(Path.of(DEFAULT_RESOURCE)), in.readAllBytes(),
                    "embedded default configuration", root, origins, problems);
        } catch (IOException e) {
            problems.add("embedded default configuration: cannot read: " + e.getMessage());
            return false;
        }
    }

    private static boolean readDocument(ObjectMapper mapper, byte[] content, String display, ObjectNode root,
            ConfigOrigins origins, List<String> problems) {
        JsonNode tree;
        try {
            tree = mapper.readTree(content);
        } catch (StreamConstraintsException e) {
            int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            problems.add(display + (line > 0 ? ":" + line : "") + ": " + ConfigMappers.describeLimit(e));
            return false;
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            String encoding = ConfigurationLimits.encodingProblem(e);
            if (encoding != null) {
                problems.add(display + ": " + encoding);
                return false;
            }
            String reason = String.valueOf(e.getOriginalMessage()).strip().replaceAll("\\s*\\R\\s*", " ");
            if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
                // SnakeYAML's location is where the enclosing block began; the problem is further on.
                line = yaml.getProblemMark().getLine() + 1;
                reason = (yaml.getContext() == null ? "" : yaml.getContext() + ": ") + yaml.getProblem();
            }
            problems.add(display + (line > 0 ? ":" + line : "") + ": syntax error: " + reason);
            return false;
        } catch (IOException e) {
            String encoding = ConfigurationLimits.encodingProblem(e);
            problems.add(display + ": " + (encoding != null ? encoding : "cannot read: " + e.getMessage()));
            return false;
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            return true; // an empty file configures nothing
        }
        if (!tree.isObject()) {
            problems.add(display + ": expected keys and values at the top level");
            return false;
        }
        recordLines(mapper, content, display, origins);
        root.setAll((ObjectNode) tree);
        return true;
    }

    /**
     * Notes the line of every key, for messages. The TOML reader gives no positions: its lines come from a scan of
     * the text ({@link TomlKeyLines}).
     */
    private static void recordLines(ObjectMapper mapper, byte[] content, String display, ConfigOrigins origins) {
        KeyLines tomlLines = mapper instanceof TomlMapper ? TomlKeyLines.of(content) : null;
        try (JsonParser p = mapper.getFactory().createParser(content)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.FIELD_NAME && tomlLines != null) {
                    int line = tomlLines.lineOf(pathOf(p.getParsingContext()));
                    origins.put(pathOf(p.getParsingContext()), line > 0 ? display + ":" + line : display);
                } else if (t == JsonToken.FIELD_NAME) {
                    int line = p.currentTokenLocation().getLineNr();
                    origins.put(pathOf(p.getParsingContext()), line > 0 ? display + ":" + line : display);
                } else if (t.isScalarValue() && p.getParsingContext().inArray()) {
                    int line = p.currentTokenLocation().getLineNr();
                    origins.put(pathOf(p.getParsingContext()), line > 0 ? display + ":" + line : display);
                }
            }
        } catch (IOException e) {
            // Already parsed once: cannot happen; without lines, messages name the file alone.
        }
    }

    private static List<String> pathOf(JsonStreamContext context) {
        List<String> path = new ArrayList<>();
        for (JsonStreamContext c = context; c != null; c = c.getParent()) {
            if (c.inObject() && c.getCurrentName() != null) {
                path.add(0, c.getCurrentName());
            } else if (c.inArray() && c.getCurrentIndex() >= 0) {
                path.add(0, "[" + c.getCurrentIndex() + "]");
            }
        }
        return path;
    }

    // --- environment and flags ---------------------------------------------------------------

    private static boolean readEnvironment(Map<String, String> env, ObjectNode root, ConfigOrigins origins,
            List<String> problems) {
        boolean ok = true;
        for (String prefix : ENV_PREFIXES) {
            for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
                String name = e.getKey();
                String upper = name.toUpperCase(Locale.ROOT);
                if (!upper.startsWith(prefix) || LAUNCHER_VARIABLES.contains(upper)) {
                    continue;
                }
                String origin = "environment variable " + name;
                List<String> path = List.of(name.substring(prefix.length()).toLowerCase(Locale.ROOT).split("_", -1));
                if (path.contains("")) {
                    problems.add(origin + ": not a configuration key (write " + prefix
                            + "SECTION_KEY, e.g. " + prefix + "ENTRYPOINTS_WEB_ADDRESS)");
                    ok = false;
                    continue;
                }
                set(root, path, e.getValue(), origin, origins);
            }
        }
        return ok;
    }

    private static boolean readFlags(List<String> args, ObjectNode root, ConfigOrigins origins, List<String> problems) {
        boolean ok = true;
        for (String arg : args) {
            Flag flag = Flag.parse(arg);
            if (flag == null) {
                problems.add("argument '" + arg + "': not a flag (flags look like --entryPoints.web.address=:80)");
                ok = false;
                continue;
            }
            if (flag.key().equalsIgnoreCase(CONFIG_FILE_KEY)) {
                continue;
            }
            List<String> path = List.of(flag.key().split("\\.", -1));
            if (path.contains("")) {
                problems.add("flag " + arg + ": not a configuration key (flags look like --entryPoints.web.address=:80)");
                ok = false;
                continue;
            }
            set(root, path, flag.value() == null ? "true" : flag.value(), "flag " + arg, origins);
        }
        return ok;
    }

    /** {@code --key=value}, or {@code --key} (value null, meaning true). */
    private record Flag(String key, String value) {
        static Flag parse(String arg) {
            if (arg == null || !arg.startsWith("--") || arg.length() == 2) {
                return null;
            }
            int eq = arg.indexOf('=');
            return eq < 0 ? new Flag(arg.substring(2), null) : new Flag(arg.substring(2, eq), arg.substring(eq + 1));
        }
    }

    /**
     * Sets one key, found without regard to case so that {@code --entrypoints.web.address} and a
     * file's {@code entryPoints: {web: ...}} meet. A {@code true} given to a section that already
     * has options keeps the options: it only says the section is on.
     */
    private static void set(ObjectNode root, List<String> path, String value, String origin, ConfigOrigins origins) {
        ObjectNode node = root;
        List<String> actual = new ArrayList<>();
        for (int i = 0; i < path.size() - 1; i++) {
            String key = existingKey(node, path.get(i));
            actual.add(key);
            JsonNode child = node.get(key);
            if (child == null || !child.isObject()) {
                child = node.putObject(key);
                origins.set(actual, origin);
            }
            node = (ObjectNode) child;
        }
        String key = existingKey(node, path.get(path.size() - 1));
        actual.add(key);
        JsonNode existing = node.get(key);
        if (existing != null && existing.isObject() && value.trim().equalsIgnoreCase("true")) {
            return;
        }
        node.set(key, TextNode.valueOf(value));
        origins.set(actual, origin);
    }

    private static String existingKey(ObjectNode node, String key) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (name.equalsIgnoreCase(key)) {
                return name;
            }
        }
        return key;
    }

    // --- checks beyond binding ---------------------------------------------------------------

    private static void validate(StaticConfiguration configuration, ConfigOrigins origins, List<String> problems) {
        for (Map.Entry<String, EntryPointConfig> e : configuration.entryPoints().entrySet()) {
            String name = e.getKey();
            EntryPointConfig entryPoint = e.getValue();
            try {
                ListenAddress.parse(name, entryPoint == null ? null : entryPoint.address());
            } catch (IllegalArgumentException invalid) {
                List<String> path = entryPoint == null || entryPoint.address() == null
                        ? List.of("entryPoints", name) : List.of("entryPoints", name, "address");
                problems.add(origins.describe(path) + ": " + invalid.getMessage());
            }
            if (entryPoint != null) {
                validateEntryPointPeers(name, entryPoint, origins, problems);
            }
        }
        validateServersTransport(configuration.serversTransport(), origins, problems);
    }

    /**
     * The static {@code serversTransport} is bound to the type of a dynamic {@code http.serversTransports} entry (one
     * type, one set of defaults), but takes only Traefik's static options: the others are refused as Traefik refuses
     * them (there they are not keys of the static section), saying where they belong.
     */
    private static void validateServersTransport(ServersTransportConfig transport, ConfigOrigins origins,
            List<String> problems) {
        if (transport == null) {
            return;
        }
        Map<String, Boolean> dynamicOnly = new LinkedHashMap<>();
        dynamicOnly.put("serverName", transport.serverName() != null);
        dynamicOnly.put("certificates", !transport.certificates().isEmpty());
        dynamicOnly.put("disableHTTP2", transport.disableHTTP2() != null);
        dynamicOnly.put("peerCertURI", transport.peerCertURI() != null);
        dynamicOnly.put("cipherSuites", !transport.cipherSuites().isEmpty());
        dynamicOnly.put("minVersion", transport.minVersion() != null);
        dynamicOnly.put("maxVersion", transport.maxVersion() != null);
        ServersTransportConfig.ForwardingTimeouts timeouts = transport.forwardingTimeouts();
        dynamicOnly.put("forwardingTimeouts.readIdleTimeout", timeouts != null && timeouts.readIdleTimeout() != null);
        dynamicOnly.put("forwardingTimeouts.pingTimeout", timeouts != null && timeouts.pingTimeout() != null);
        dynamicOnly.forEach((key, set) -> {
            if (set) {
                List<String> path = new ArrayList<>(List.of("serversTransport"));
                path.addAll(List.of(key.split("\\.")));
                problems.add(origins.describe(path) + ": " + ConfigBinder.display(path) + " is an option of a dynamic "
                        + "servers transport (http.serversTransports.<name>), not of the static serversTransport: move it "
                        + "there and name that transport in the service's loadBalancer.serversTransport");
            }
        });
        if (transport.spiffe() != null) {
            List<String> path = List.of("serversTransport", "spiffe");
            problems.add(origins.describe(path) + ": " + ConfigBinder.display(path) + " is not supported: remove it");
        }
    }

    /**
     * The entry point's lists of trusted peers (forwarded headers, PROXY protocol), and Traefik's refusal of a PROXY
     * protocol that trusts nobody, each reported with the file line, flag or variable that set it.
     */
    private static void validateEntryPointPeers(String name, EntryPointConfig entryPoint, ConfigOrigins origins,
            List<String> problems) {
        if (entryPoint.forwardedHeaders() != null) {
            validateIps(List.of("entryPoints", name, "forwardedHeaders", "trustedIPs"),
                    entryPoint.forwardedHeaders().trustedIPs(), origins, problems);
        }
        ProxyProtocolConfig proxyProtocol = entryPoint.proxyProtocol();
        if (proxyProtocol == null || proxyProtocol.insecureOrDefault()) {
            return;
        }
        if (proxyProtocol.trustedIPs().isEmpty()) {
            List<String> path = List.of("entryPoints", name, "proxyProtocol");
            // Traefik refuses it too ("no trusted IPs provided")
            problems.add(origins.describe(path) + ": " + ConfigBinder.display(path) + ": set trustedIPs to the "
                    + "addresses of the load balancers that send the PROXY header (or insecure: true, which believes "
                    + "any client)");
        }
        validateIps(List.of("entryPoints", name, "proxyProtocol", "trustedIPs"), proxyProtocol.trustedIPs(), origins,
                problems);
    }

    private static void validateIps(List<String> path, List<String> ips, ConfigOrigins origins, List<String> problems) {
        for (String ip : ips) {
            try {
                IpBlock.parse(ip);
            } catch (IllegalArgumentException invalid) {
                problems.add(origins.describe(path) + ": " + ConfigBinder.display(path) + ": " + invalid.getMessage());
            }
        }
    }
}
