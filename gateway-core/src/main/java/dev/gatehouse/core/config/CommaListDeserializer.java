package dev.gatehouse.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TreeTraversingParser;
import java.io.IOException;

/**
 * Lets a list be written as one comma-separated string, as Traefik's flags, environment variables
 * and labels write them: {@code trustedIPs=127.0.0.1,10.0.0.0/8}. Items are trimmed; empty items
 * are dropped. A real list is bound as usual.
 */
final class CommaListDeserializer extends DelegatingDeserializer {

    private static final long serialVersionUID = 1L;

    CommaListDeserializer(JsonDeserializer<?> delegate) {
        super(delegate);
    }

    @Override
    protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> newDelegatee) {
        return new CommaListDeserializer(newDelegatee);
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            return super.deserialize(p, ctxt);
        }
        ArrayNode items = JsonNodeFactory.instance.arrayNode();
        for (String item : p.getText().split(",")) {
            if (!item.isBlank()) {
                items.add(item.trim());
            }
        }
        try (JsonParser list = new TreeTraversingParser(items, p.getCodec())) {
            list.nextToken();
            return _delegatee.deserialize(list, ctxt);
        }
    }
}
