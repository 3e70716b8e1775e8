package dev.gatehouse.core.config;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * {@code entryPoints.<name>.http.encodedCharacters}: which percent-encoded characters a request path may hold. Each
 * is allowed by default, as in Traefik; one set to false makes a routed request whose path holds it (in either hex
 * case) get 400, as Traefik's routers answer.
 *
 * @param allowEncodedSlash {@code %2F}
 * @param allowEncodedBackSlash {@code %5C}
 * @param allowEncodedNullCharacter {@code %00}
 * @param allowEncodedSemicolon {@code %3B}
 * @param allowEncodedPercent {@code %25}
 * @param allowEncodedQuestionMark {@code %3F}
 * @param allowEncodedHash {@code %23}
 */
public record EncodedCharactersConfig(Boolean allowEncodedSlash, Boolean allowEncodedBackSlash,
        Boolean allowEncodedNullCharacter, Boolean allowEncodedSemicolon, Boolean allowEncodedPercent,
        Boolean allowEncodedQuestionMark, Boolean allowEncodedHash) {

    /** The two hex digits (upper case) of every encoded character that is not allowed; empty by default. */
    public Set<String> deniedHexCodes() {
        Set<String> denied = new LinkedHashSet<>();
        deny(denied, allowEncodedSlash, "2F");
        deny(denied, allowEncodedBackSlash, "5C");
        deny(denied, allowEncodedNullCharacter, "00");
        deny(denied, allowEncodedSemicolon, "3B");
        deny(denied, allowEncodedPercent, "25");
        deny(denied, allowEncodedQuestionMark, "3F");
        deny(denied, allowEncodedHash, "23");
        return Set.copyOf(denied);
    }

    private static void deny(Set<String> denied, Boolean allowed, String hex) {
        if (Boolean.FALSE.equals(allowed)) {
            denied.add(hex);
        }
    }
}
