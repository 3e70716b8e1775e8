package dev.gatehouse.plugins.acme.dns;

import java.util.Locale;
import org.shredzone.acme4j.toolbox.AcmeUtils;

/**
 * One DNS-01 challenge, in both of lego's shapes: the record ({@code fqdn}, {@code value}) that most providers
 * publish, and the raw inputs ({@code domain}, {@code token}, {@code keyAuthorization}) that {@code exec} and
 * {@code httpreq} hand over in their {@code RAW} mode.
 *
 * @param domain the domain being validated, without a leading {@code *.} (a wildcard is validated on its base)
 * @param token the challenge's token
 * @param keyAuthorization the token and the account key's thumbprint
 * @param fqdn {@code _acme-challenge.<domain>.}, with the final dot, or where its CNAME chain ends
 * @param value the TXT value: the base64url SHA-256 digest of {@code keyAuthorization}
 */
public record ChallengeRecord(String domain, String token, String keyAuthorization, String fqdn, String value) {

    /** The record for {@code domain} (a leading {@code *.} is dropped). */
    public static ChallengeRecord of(String domain, String token, String keyAuthorization) {
        String base = domain.strip().toLowerCase(Locale.ROOT);
        if (base.startsWith("*.")) {
            base = base.substring(2);
        }
        if (base.endsWith(".")) {
            base = base.substring(0, base.length() - 1);
        }
        return new ChallengeRecord(base, token, keyAuthorization, "_acme-challenge." + base + ".", digest(keyAuthorization));
    }

    /** The same challenge published at {@code effectiveFqdn} (where a CNAME of {@link #fqdn()} points). */
    public ChallengeRecord at(String effectiveFqdn) {
        return new ChallengeRecord(domain, token, keyAuthorization, effectiveFqdn, value);
    }

    /** What acme4j's {@code Dns01Challenge.getDigest()} computes, from the key authorization alone. */
    private static String digest(String keyAuthorization) {
        return AcmeUtils.base64UrlEncode(AcmeUtils.sha256hash(keyAuthorization));
    }
}
