package dev.gatehouse.core.config;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.CollectionType;
import java.time.Duration;

/**
 * The object mapper that binds configuration, static and dynamic, to records.
 *
 * <p>It reads Traefik's conventions: keys match without regard to case; unknown keys fail (so a
 * misspelt key is reported, never dropped); strings from flags, environment variables and labels
 * are coerced to the target type ({@code "8080"} to a number, {@code "true"} to a boolean,
 * {@code "10s"} to a {@link Duration}, {@code "a,b"} to a list); sections marked
 * {@link EnabledByPresence} accept {@code true}/{@code false}.
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
                if (beanDesc.getBeanClass().isAnnotationPresent(EnabledByPresence.class)) {
                    return new PresenceDeserializer(deserializer);
                }
                return deserializer;
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
}
