package dev.gatehouse.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code storage}: the store that several gateways share for their certificates, ACME account and challenges, named
 * by one backend key ({@code etcd}, {@code redis}: a plugin's {@code StorageBackend}) with its options, and
 * {@code encryptionKey}. The backend's options stay raw JSON here, because its plugin defines their type; they are
 * bound once the plugins are loaded. See {@code docs/configuration/static.md#storage}.
 *
 * @param encryptionKey base64 of 32 bytes: private keys are stored encrypted with it (AES-256-GCM); null for none
 * @param backends backend name to its options, in declaration order; never null
 */
@JsonDeserialize(using = StorageConfig.Deserializer.class)
public record StorageConfig(String encryptionKey, Map<String, JsonNode> backends) {

    /** The length of the key {@code encryptionKey} decodes to: AES-256. */
    public static final int KEY_BYTES = 32;

    public StorageConfig {
        encryptionKey = encryptionKey == null || encryptionKey.isBlank() ? null : encryptionKey.strip();
        backends = backends == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(backends));
        if (encryptionKey != null) {
            decodeKey(encryptionKey);   // fails at load time, with the key's name, rather than at the first write
        }
    }

    /** The bytes of {@code encryptionKey}, or null when none is set. */
    public byte[] encryptionKeyBytes() {
        return encryptionKey == null ? null : decodeKey(encryptionKey);
    }

    /** Neither the key nor the backends' options (passwords): a record's toString would put them in any log that prints it. */
    @Override
    public String toString() {
        return "StorageConfig[encryptionKey=" + (encryptionKey == null ? "none" : "(set)") + ", backends=" + backends.keySet() + "]";
    }

    private static byte[] decodeKey(String text) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidValueException("encryptionKey", "encryptionKey is not base64 (" + e.getMessage()
                    + "); make one with: openssl rand -base64 32");
        }
        if (key.length != KEY_BYTES) {
            throw new InvalidValueException("encryptionKey", "encryptionKey decodes to " + key.length + " bytes, not "
                    + KEY_BYTES + "; make one with: openssl rand -base64 32");
        }
        return key;
    }

    static final class Deserializer extends StdDeserializer<StorageConfig> {

        private static final long serialVersionUID = 1L;

        Deserializer() {
            super(StorageConfig.class);
        }

        @Override
        public StorageConfig deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                return (StorageConfig) ctxt.handleUnexpectedToken(StorageConfig.class, p);
            }
            String encryptionKey = null;
            Map<String, JsonNode> backends = new LinkedHashMap<>();
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                p.nextToken();
                JsonNode value = p.readValueAsTree();
                if (name.equalsIgnoreCase("encryptionKey")) {
                    encryptionKey = value == null || value.isNull() ? null : value.asText();
                } else {
                    // Only the plugins know which names are backends: the gateway reports an unknown one by name.
                    backends.put(name, value);
                }
            }
            return new StorageConfig(encryptionKey, backends);
        }
    }
}
