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

/** Binds an {@link EnabledByPresence} section: booleans switch it, objects configure it. */
final class PresenceDeserializer extends DelegatingDeserializer {

    private static final long serialVersionUID = 1L;

    PresenceDeserializer(JsonDeserializer<?> delegate) {
        super(delegate);
    }

    @Override
    protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> newDelegatee) {
        return new PresenceDeserializer(newDelegatee);
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
    public Object getAbsentValue(DeserializationContext ctxt) {
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
