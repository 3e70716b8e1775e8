package dev.gatehouse.core.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code ocsp} (Traefik v3.4+): OCSP stapling, switched on by the section's presence ({@code ocsp: {}},
 * {@code --ocsp=true}). Every served certificate that names an OCSP responder gets a response fetched in the
 * background and stapled to its handshakes. See {@code docs/configuration/tls.md}, "OCSP stapling".
 *
 * @param responderOverrides responder URL as the certificate names it, to the URL asked instead
 */
@EnabledByPresence
public record OcspConfig(Map<String, String> responderOverrides) {

    public OcspConfig {
        responderOverrides = responderOverrides == null ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(responderOverrides));
        // As Traefik's static check: an override with no URL is refused rather than asked.
        responderOverrides.forEach((responder, override) -> {
            if (override == null || override.isBlank()) {
                throw new InvalidValueException("responderOverrides", "the override of responder '" + responder
                        + "' in '{key}' is empty: give the URL to ask instead, or remove the entry");
            }
        });
    }
}
