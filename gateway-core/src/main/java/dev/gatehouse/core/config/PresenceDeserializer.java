package dev.gatehouse.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TreeTraversingParser;
import java.io.IOException;
import java.util.Locale;

/**
 * Binds a configuration section that may also be written as a switch, as Traefik's flags, environment variables
 * and labels allow for any section ({@code --log}, {@code ...loadbalancer.sticky.cookie=true}): {@code true} (or
 * an empty value) is the section with its defaults, {@code false} leaves it out (null); a section of options binds
 * as usual.
 *
 * <p>For an {@link EnabledByPresence} section, presence itself means something: an empty YAML value
 * ({@code ping:}) enables it, and any other string is an error. For the other sections null and absent mean the
 * defaults anyway, so only the switch values are read here and anything else is the section's own binding.
 */
final class PresenceDeserializer extends DelegatingDeserializer {

    private static final long serialVersionUID = 1L;

    private final boolean enabledByPresence;

    PresenceDeserializer(JsonDeserializer<?> delegate, boolean enabledByPresence) {
        super(delegate);
        this.enabledByPresence = enabledByPresence;
    }

    @Override
    protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> newDelegatee) {
        return new PresenceDeserializer(newDelegatee, enabledByPresence);
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        JsonToken token = p.currentToken();
        if (token == JsonToken.VALUE_TRUE) {
            return withDefaults(p, ctxt);
        }
        if (token == JsonToken.VALUE_FALSE) {
            return null;
        }
        if (token == JsonToken.VALUE_STRING) {
            String text = p.getText().trim().toLowerCase(Locale.ROOT);
            if (text.isEmpty() || text.equals("true")) {
                return withDefaults(p, ctxt);
            }
            if (text.equals("false")) {
                return null;
            }
            if (!enabledByPresence) {
                return super.deserialize(p, ctxt);
            }
            return ctxt.handleWeirdStringValue(handledType(), p.getText(),
                    "invalid value '" + p.getText() + "' (expected true, false or a section of options)");
        }
        return super.deserialize(p, ctxt);
    }

    /**
     * An empty YAML value ({@code ping:}) names the section: it is enabled. Jackson also asks here
     * when {@link #deserialize} returned null for {@code false}: that stays null.
     */
    @Override
    public Object getNullValue(DeserializationContext ctxt) throws JsonMappingException {
        if (!enabledByPresence) {
            return super.getNullValue(ctxt);
        }
        JsonParser p = ctxt.getParser();
        if (p == null || p.currentToken() != JsonToken.VALUE_NULL) {
            return null;
        }
        try {
            return withDefaults(ctxt.getParser(), ctxt);
        } catch (IOException e) {
            throw JsonMappingException.from(ctxt, e.getMessage(), e);
        }
    }

    /** Absent means disabled, whatever the delegate would say. */
    @Override
    public Object getAbsentValue(DeserializationContext ctxt) throws JsonMappingException {
        if (!enabledByPresence) {
            return super.getAbsentValue(ctxt);
        }
        return null;
    }

    private Object withDefaults(JsonParser p, DeserializationContext ctxt) throws IOException {
        try (JsonParser empty = new TreeTraversingParser(JsonNodeFactory.instance.objectNode(),
                p == null ? null : p.getCodec())) {
            empty.nextToken();
            return _delegatee.deserialize(empty, ctxt);
        }
    }
}
