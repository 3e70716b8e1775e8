package dev.gatehouse.core.proxy;

import java.util.Arrays;
import java.util.Locale;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * What a message's {@code Connection} header says (RFC 9110 7.6.1): the other headers it names as hop-by-hop, and
 * whether it asks for an upgrade. Read once per message with one pass over the fields, because it is asked on every
 * proxied request and response, and almost every response has {@code Connection: keep-alive}, which names no header
 * that is not dropped anyway.
 */
final class ConnectionHeader {

    private static final String[] NONE = new String[0];

    private ConnectionHeader() {
    }

    /**
     * The header names (lower case) that {@code Connection} lists, without {@code keep-alive} and {@code close}
     * (the first is a hop-by-hop header already, the second names none): empty in the common case.
     */
    static String[] listedNames(HttpFields headers) {
        String[] names = NONE;
        for (HttpField field : headers) {
            if (field.getHeader() != HttpHeader.CONNECTION) {
                continue;
            }
            String value = field.getValue();
            if (value.equalsIgnoreCase("keep-alive") || value.equalsIgnoreCase("close")) {
                continue;   // the common case, without parsing the value as a quoted list
            }
            for (String token : field.getValues()) {
                String name = token.strip().toLowerCase(Locale.ROOT);
                if (name.isEmpty() || name.equals("keep-alive") || name.equals("close")) {
                    continue;
                }
                String[] more = Arrays.copyOf(names, names.length + 1);
                more[names.length] = name;
                names = more;
            }
        }
        return names;
    }

    /** Whether {@code lowerCaseName} is one of {@code listed}. */
    static boolean lists(String[] listed, String lowerCaseName) {
        for (String name : listed) {
            if (name.equals(lowerCaseName)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code Connection} has the {@code upgrade} token. */
    static boolean asksForUpgrade(HttpFields headers) {
        for (HttpField field : headers) {
            if (field.getHeader() == HttpHeader.CONNECTION && field.contains("upgrade")) {
                return true;
            }
        }
        return false;
    }

    /** Whether the client said it takes trailers ({@code TE: trailers}). */
    static boolean acceptsTrailers(HttpFields clientHeaders) {
        for (HttpField field : clientHeaders) {
            if (field.getHeader() == HttpHeader.TE && field.contains("trailers")) {
                return true;
            }
        }
        return false;
    }
}
