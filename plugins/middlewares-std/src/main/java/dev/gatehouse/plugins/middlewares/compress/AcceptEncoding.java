package dev.gatehouse.plugins.middlewares.compress;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Picks the coding from {@code Accept-Encoding}, as Traefik's compress middleware does. */
final class AcceptEncoding {

    private AcceptEncoding() {
    }

    private record Weighted(String token, double q) {
    }

    /**
     * The encoding to use, or null for none. No header: {@code fallback} (the {@code defaultEncoding} option). The
     * highest q wins; equal q's go to the order of {@code supported}; {@code *} stands for the first supported;
     * {@code identity} or q=0 mean no compression.
     */
    static Encoding choose(List<String> headerValues, List<Encoding> supported, Encoding fallback) {
        if (headerValues.isEmpty()) {
            return fallback;
        }
        List<Weighted> offered = new ArrayList<>();
        for (String line : headerValues) {
            for (String item : line.replace(" ", "").replace("\t", "").split(",")) {
                if (item.isEmpty()) {
                    continue;
                }
                String[] parts = item.split(";", 2);
                String token = parts[0].toLowerCase(Locale.ROOT);
                if (!token.equals("*") && !token.equals("identity") && !isSupported(token, supported)) {
                    continue;
                }
                double q = 1;
                if (parts.length == 2) {
                    String param = parts[1];
                    if (!param.startsWith("q=")) {
                        continue;
                    }
                    try {
                        q = Double.parseDouble(param.substring(2));
                    } catch (NumberFormatException e) {
                        continue;
                    }
                    if (q < 0 || q > 1) {
                        continue;
                    }
                }
                offered.add(new Weighted(token, q));
            }
        }
        Weighted best = null;
        for (Weighted w : offered) {
            if (best == null || w.q() > best.q() || (w.q() == best.q() && rank(w.token(), supported) < rank(best.token(), supported))) {
                best = w;
            }
        }
        if (best == null || best.q() == 0 || best.token().equals("identity")) {
            return null;
        }
        if (best.token().equals("*")) {
            return supported.get(0);
        }
        return Encoding.of(best.token());
    }

    private static boolean isSupported(String token, List<Encoding> supported) {
        for (Encoding e : supported) {
            if (e.token.equals(token)) {
                return true;
            }
        }
        return false;
    }

    private static int rank(String token, List<Encoding> supported) {
        for (int i = 0; i < supported.size(); i++) {
            if (supported.get(i).token.equals(token)) {
                return i;
            }
        }
        return token.equals("*") ? supported.size() : supported.size() + 1;
    }
}
