package dev.gatehouse.core.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the API shows of a middleware's options: everything, except the password hashes of {@code basicAuth} and
 * {@code digestAuth} users, which are replaced by {@value #REDACTED} after the user name (and, for digest, the
 * realm). Traefik 1.7.12 removed these hashes from its API as a vulnerability (CVE-2019-12452) and v2/v3 show them
 * again; a hash is enough to mount an offline attack on the password, and nothing that reads the API needs it.
 * A private key given inline to {@code forwardAuth} ({@code tls.key} holding PEM text rather than a path) is
 * replaced too: it is the client certificate's secret. So are {@code rateLimit}'s {@code redis.password} (Traefik keeps
 * it out of its logs, and the API is no place for it either) and an inline {@code redis.tls.key}.
 * The middleware itself keeps the real values: this changes what is shown, not what is enforced.
 */
final class CredentialRedaction {

    static final String REDACTED = "<redacted>";

    private CredentialRedaction() {
    }

    /** The options as the API shows them; the same map when there is nothing to hide. */
    static Map<String, Object> middlewareOptions(String type, Map<String, Object> options) {
        int keptFields;
        if (type.equalsIgnoreCase("basicAuth")) {
            keptFields = 1;   // user:hash
        } else if (type.equalsIgnoreCase("digestAuth")) {
            keptFields = 2;   // user:realm:hash
        } else if (type.equalsIgnoreCase("forwardAuth")) {
            return withoutInlineKey(options);
        } else if (type.equalsIgnoreCase("rateLimit")) {
            return withoutRedisSecrets(options);
        } else {
            return options;
        }
        Map<String, Object> shown = new LinkedHashMap<>(options);
        shown.replaceAll((key, value) -> key.equalsIgnoreCase("users") ? users(value, keptFields) : value);
        return shown;
    }

    /** The options with an inline PEM {@code tls.key} replaced; the same map when there is none. */
    private static Map<String, Object> withoutInlineKey(Map<String, Object> options) {
        for (Map.Entry<String, Object> option : options.entrySet()) {
            if (option.getKey().equalsIgnoreCase("tls") && option.getValue() instanceof Map<?, ?> tls) {
                Map<String, Object> shownTls = new LinkedHashMap<>();
                boolean hidden = false;
                for (Map.Entry<?, ?> entry : tls.entrySet()) {
                    String key = String.valueOf(entry.getKey());
                    boolean inlineKey = key.equalsIgnoreCase("key") && entry.getValue() instanceof String text
                            && text.contains("-----BEGIN");
                    shownTls.put(key, inlineKey ? REDACTED : entry.getValue());
                    hidden |= inlineKey;
                }
                if (hidden) {
                    Map<String, Object> shown = new LinkedHashMap<>(options);
                    shown.put(option.getKey(), shownTls);
                    return shown;
                }
            }
        }
        return options;
    }

    /** The options with {@code redis.password} and an inline {@code redis.tls.key} replaced; the same map when none. */
    private static Map<String, Object> withoutRedisSecrets(Map<String, Object> options) {
        for (Map.Entry<String, Object> option : options.entrySet()) {
            if (option.getKey().equalsIgnoreCase("redis") && option.getValue() instanceof Map<?, ?> redis) {
                Map<String, Object> shownRedis = new LinkedHashMap<>();
                redis.forEach((key, value) -> shownRedis.put(String.valueOf(key), value));
                boolean hidden = false;
                for (Map.Entry<String, Object> entry : shownRedis.entrySet()) {
                    if (entry.getKey().equalsIgnoreCase("password") && entry.getValue() != null
                            && !"".equals(entry.getValue())) {
                        entry.setValue(REDACTED);
                        hidden = true;
                    }
                }
                Map<String, Object> withoutKey = withoutInlineKey(shownRedis);
                if (hidden || withoutKey != shownRedis) {
                    Map<String, Object> shown = new LinkedHashMap<>(options);
                    shown.put(option.getKey(), withoutKey);
                    return shown;
                }
            }
        }
        return options;
    }

    /** A list of users, or (from Docker labels and other key-value sources) one string of users separated by commas. */
    private static Object users(Object value, int keptFields) {
        if (value instanceof List<?> list) {
            List<Object> shown = new ArrayList<>(list.size());
            list.forEach(user -> shown.add(user instanceof String s ? user(s, keptFields) : REDACTED));
            return shown;
        }
        if (value instanceof String text) {
            List<String> shown = new ArrayList<>();
            for (String user : text.split(",", -1)) {
                shown.add(user(user.strip(), keptFields));
            }
            return String.join(",", shown);
        }
        return value == null ? null : REDACTED;
    }

    private static String user(String entry, int keptFields) {
        int end = -1;
        for (int i = 0; i < keptFields; i++) {
            end = entry.indexOf(':', end + 1);
            if (end < 0) {
                return entry.isEmpty() ? entry : REDACTED;   // not in the user:hash form: show nothing of it
            }
        }
        return entry.substring(0, end + 1) + REDACTED;
    }
}
