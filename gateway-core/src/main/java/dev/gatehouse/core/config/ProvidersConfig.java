package dev.gatehouse.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code providers}: {@code providersThrottleDuration}, {@code precedence} and one entry per provider, keyed by the
 * provider's name ({@code file}, {@code docker}). Provider options stay raw JSON here, because the
 * provider's plugin defines their type; bind them with {@link LoadedConfiguration#bindSection}.
 *
 * <p>A provider enabled by presence ({@code --providers.docker}, {@code docker: true}) gets an
 * empty options object; {@code false} leaves it out. Any other value is kept as written: whether its key names a
 * provider at all is known only once the plugins are loaded ({@code GatewayAssembly}).
 *
 * @param providersThrottleDuration how long a burst of changes from one provider is gathered before
 *        it is applied; default 2s
 * @param precedence provider names, highest precedence first (see {@link #precedenceOrDefault()}); null when unset
 * @param providers provider name to its options, in declaration order; never null
 */
@JsonDeserialize(using = ProvidersConfig.Deserializer.class)
public record ProvidersConfig(Duration providersThrottleDuration, List<String> precedence,
        Map<String, JsonNode> providers) {

    public static final Duration DEFAULT_THROTTLE = Duration.ofSeconds(2);

    /**
     * Traefik's provider names, in its default precedence (highest first): the order of {@code precedence} when it
     * is not set, and names it may hold besides the plugins' providers.
     */
    public static final List<String> TRAEFIK_PRECEDENCE = List.of("kubernetesgateway", "kubernetescrd", "kubernetes",
            "kubernetesingressnginx", "swarm", "docker", "file", "redis", "knative", "consul", "consulcatalog", "nomad",
            "etcd", "ecs", "http", "zookeeper", "rest");

    public ProvidersConfig {
        precedence = precedence == null ? null
                : precedence.stream().map(name -> name.strip().toLowerCase(Locale.ROOT)).toList();
        providers = providers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(providers));
    }

    public ProvidersConfig(Duration providersThrottleDuration, Map<String, JsonNode> providers) {
        this(providersThrottleDuration, null, providers);
    }

    /**
     * {@code precedence}: among routers of equal priority from different providers, those of the provider listed
     * first are tried first (a provider not listed comes after the listed ones), as in Traefik 3.7; provider names
     * lower case.
     */
    public List<String> precedenceOrDefault() {
        return precedence == null ? TRAEFIK_PRECEDENCE : precedence;
    }

    public Duration providersThrottleDurationOrDefault() {
        return providersThrottleDuration == null ? DEFAULT_THROTTLE : providersThrottleDuration;
    }

    /** The options of provider {@code name} (matched without regard to case), or null when it is not configured. */
    public JsonNode provider(String name) {
        for (Map.Entry<String, JsonNode> e : providers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    static final class Deserializer extends StdDeserializer<ProvidersConfig> {

        private static final long serialVersionUID = 1L;

        Deserializer() {
            super(ProvidersConfig.class);
        }

        @Override
        public ProvidersConfig deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                return (ProvidersConfig) ctxt.handleUnexpectedToken(ProvidersConfig.class, p);
            }
            Duration throttle = null;
            List<String> precedence = null;
            Map<String, JsonNode> providers = new LinkedHashMap<>();
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                JsonToken token = p.nextToken();
                if (name.equalsIgnoreCase("precedence")) {
                    precedence = token == JsonToken.VALUE_NULL ? null : ctxt.readValue(p,
                            ctxt.getTypeFactory().constructCollectionType(List.class, String.class));
                    continue;
                }
                if (name.equalsIgnoreCase("providersThrottleDuration")) {
                    throttle = token == JsonToken.VALUE_NULL ? null : (Duration) ctxt.findRootValueDeserializer(ctxt.constructType(Duration.class))
                            .deserialize(p, ctxt);
                    continue;
                }
                JsonNode options = p.readValueAsTree();
                if (options == null || options.isNull() || isText(options, "true") || isText(options, "")
                        || (options.isBoolean() && options.booleanValue())) {
                    providers.put(name, JsonNodeFactory.instance.objectNode());
                } else if (isText(options, "false") || (options.isBoolean() && !options.booleanValue())) {
                    providers.remove(name);
                } else {
                    // A section, or a value no provider takes (precedence: [file, docker]): kept as written, since
                    // only the plugins know which names are providers. The gateway reports a name no plugin
                    // provides as an unknown key, and a provider's value that is not a section as invalid.
                    providers.put(name, options);
                }
            }
            return new ProvidersConfig(throttle, precedence, providers);
        }

        private static boolean isText(JsonNode node, String value) {
            return node.isTextual() && node.textValue().trim().toLowerCase(Locale.ROOT).equals(value);
        }
    }
}
