package dev.gatehouse.core.config;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBase;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.CollectionType;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.dataformat.toml.TomlFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.gatehouse.api.config.ConfigurationLimits;
import java.time.Duration;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * The object mapper that binds configuration, static and dynamic, to records.
 *
 * <p>It reads Traefik's conventions: keys match without regard to case; unknown keys fail (so a
 * misspelt key is reported, never dropped); strings from flags, environment variables and labels
 * are coerced to the target type ({@code "8080"} to a number, {@code "true"} to a boolean,
 * {@code "10s"} to a {@link Duration}, {@code "a,b"} to a list); every section accepts {@code true} (present
 * with its defaults) and {@code false} (left out), as Traefik's flags and labels do, and sections marked
 * {@link EnabledByPresence} are switched on by being present.
 */
public final class ConfigMappers {

    private ConfigMappers() {
    }

    /** A new mapper with the settings above. Build it once and keep it: it is thread-safe once built. */
    public static ObjectMapper strictMapper() {
        SimpleModule module = new SimpleModule("gatehouse-config");
        module.addDeserializer(Duration.class, new DurationDeserializer());
        module.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription beanDesc,
                    JsonDeserializer<?> deserializer) {
                if (!(deserializer instanceof BeanDeserializerBase)) {
                    return deserializer; // values (Boolean, String, ...) are no sections
                }
                return new PresenceDeserializer(deserializer,
                        beanDesc.getBeanClass().isAnnotationPresent(EnabledByPresence.class));
            }

            @Override
            public JsonDeserializer<?> modifyCollectionDeserializer(DeserializationConfig config, CollectionType type,
                    BeanDescription beanDesc, JsonDeserializer<?> deserializer) {
                return new CommaListDeserializer(deserializer);
            }
        });
        return JsonMapper.builder()
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .addModule(module)
                .build();
    }

    /**
     * The YAML parser for configuration files, within {@link ConfigurationLimits}: values, names and nesting
     * are bounded by Jackson as it reads, and SnakeYAML's own document limit (3 million characters by default)
     * is raised to the file limit, so that the file limit, checked first with a clearer message, is the one
     * that applies.
     */
    public static YAMLFactory boundedYamlFactory() {
        LoaderOptions loader = new LoaderOptions();
        loader.setCodePointLimit((int) ConfigurationLimits.MAX_FILE_BYTES);
        return YAMLFactory.builder()
                .loaderOptions(loader)
                .streamReadConstraints(readConstraints())
                .build();
    }

    /** The TOML parser for configuration files, within {@link ConfigurationLimits}. */
    public static TomlFactory boundedTomlFactory() {
        return TomlFactory.builder().streamReadConstraints(readConstraints()).build();
    }

    private static StreamReadConstraints readConstraints() {
        return StreamReadConstraints.builder()
                .maxStringLength(ConfigurationLimits.MAX_VALUE_CHARS)
                .maxNameLength(ConfigurationLimits.MAX_VALUE_CHARS)
                .maxNumberLength(1000)
                .maxNestingDepth(ConfigurationLimits.MAX_NESTING_DEPTH)
                .build();
    }

    /** The sentence for a configuration limit that Jackson found broken while reading. */
    public static String describeLimit(StreamConstraintsException e) {
        String message = String.valueOf(e.getOriginalMessage());
        if (message.contains("nesting depth")) {
            return ConfigurationLimits.nestingProblem();
        }
        return ConfigurationLimits.valueProblem();
    }
}
