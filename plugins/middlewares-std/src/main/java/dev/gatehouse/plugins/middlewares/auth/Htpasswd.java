package dev.gatehouse.plugins.middlewares.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Users and password hashes in the forms Apache's {@code htpasswd} writes: bcrypt ({@code $2y$}, and {@code $2a$} /
 * {@code $2b$}), Apache MD5 ({@code $apr1$}, and MD5-crypt {@code $1$}), and {@code {SHA}}. Every check compares
 * in constant time, and an unknown user costs the same work as a wrong password.
 */
final class Htpasswd {

    private static final BCrypt.Verifyer BCRYPT = BCrypt.verifyer(null, LongPasswordStrategies.truncate(BCrypt.Version.VERSION_2A));
    private static final String ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private final Map<String, String> hashes;
    private final String decoy;

    private Htpasswd(Map<String, String> hashes) {
        this.hashes = hashes;
        // The decoy must cost what a real check costs: a hash that is never checked (plain text) would not.
        this.decoy = hashes.values().stream().filter(Htpasswd::supported).findFirst()
                .orElse(hashes.values().iterator().next());
    }

    /**
     * Users from the lines of {@code file} and from {@code users} ({@code name:hash} each); a user in the list replaces
     * the same user in the file, as in Traefik. Blank lines and {@code #} comments in the file are skipped. A password
     * that is no htpasswd hash (plain text) is loaded and never matches, as in Traefik: that user cannot log in.
     */
    static Htpasswd of(List<String> users, Path file) {
        Map<String, String> hashes = new LinkedHashMap<>();
        List<String> all = new ArrayList<>();
        if (file != null) {
            try {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String l = line.strip();
                    if (!l.isEmpty() && !l.startsWith("#")) {
                        all.add(l);
                    }
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read usersFile " + file + ": " + e.getMessage());
            }
        }
        all.addAll(users == null ? List.of() : users);
        for (String entry : all) {
            int colon = entry.indexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw new IllegalArgumentException("user entry '" + redact(entry) + "' is not in the form name:hash");
            }
            String name = entry.substring(0, colon);
            hashes.put(name, entry.substring(colon + 1).strip());
        }
        if (hashes.isEmpty()) {
            throw new IllegalArgumentException("no users: set 'users' or 'usersFile'");
        }
        return new Htpasswd(hashes);
    }

    /**
     * Whether a check may take long: bcrypt costs tens of milliseconds by design, Apache MD5 a thousand rounds of MD5.
     * Such checks are not run on a selector thread (BasicAuth says its handler blocks).
     */
    boolean slowToCheck() {
        return hashes.values().stream().anyMatch(hash -> supported(hash) && hash.startsWith("$"));
    }

    private static String redact(String entry) {
        int colon = entry.indexOf(':');
        return colon < 0 ? entry : entry.substring(0, colon) + ":...";
    }

    static boolean supported(String hash) {
        return hash.startsWith("$2y$") || hash.startsWith("$2a$") || hash.startsWith("$2b$") || hash.startsWith("$apr1$")
                || hash.startsWith("$1$") || hash.startsWith("{SHA}");
    }

    /** Whether {@code password} is {@code user}'s. */
    boolean check(String user, String password) {
        String hash = hashes.get(user);
        boolean known = hash != null;
        // An unknown user is checked against another user's hash, so that timing does not tell which users exist.
        boolean matches = matches(password, known ? hash : decoy);
        return known & matches;
    }

    static boolean matches(String password, String hash) {
        if (!supported(hash)) {
            return false;
        }
        byte[] pw = password.getBytes(StandardCharsets.UTF_8);
        if (hash.startsWith("$2")) {
            try {
                return BCRYPT.verify(pw, hash.getBytes(StandardCharsets.US_ASCII)).verified;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        if (hash.startsWith("{SHA}")) {
            byte[] expected = hash.substring(5).getBytes(StandardCharsets.US_ASCII);
            byte[] actual = Base64.getEncoder().encode(digest("SHA-1").digest(pw));
            return MessageDigest.isEqual(expected, actual);
        }
        String magic = hash.startsWith("$apr1$") ? "$apr1$" : "$1$";
        int saltEnd = hash.indexOf('$', magic.length());
        String salt = hash.substring(magic.length(), saltEnd < 0 ? hash.length() : saltEnd);
        String computed = md5Crypt(pw, salt.length() > 8 ? salt.substring(0, 8) : salt, magic);
        return MessageDigest.isEqual(hash.getBytes(StandardCharsets.US_ASCII), computed.getBytes(StandardCharsets.US_ASCII));
    }

    /** Poul-Henning Kamp's MD5-crypt, with Apache's {@code $apr1$} magic or the original {@code $1$}. */
    static String md5Crypt(byte[] pw, String salt, String magic) {
        byte[] saltBytes = salt.getBytes(StandardCharsets.US_ASCII);
        MessageDigest ctx = digest("MD5");
        ctx.update(pw);
        ctx.update(magic.getBytes(StandardCharsets.US_ASCII));
        ctx.update(saltBytes);
        MessageDigest alt = digest("MD5");
        alt.update(pw);
        alt.update(saltBytes);
        alt.update(pw);
        byte[] fin = alt.digest();
        for (int left = pw.length; left > 0; left -= 16) {
            ctx.update(fin, 0, Math.min(left, 16));
        }
        for (int i = pw.length; i != 0; i >>>= 1) {
            ctx.update((i & 1) != 0 ? 0 : (pw.length == 0 ? 0 : pw[0]));
        }
        fin = ctx.digest();
        for (int i = 0; i < 1000; i++) {
            MessageDigest round = digest("MD5");
            if ((i & 1) != 0) {
                round.update(pw);
            } else {
                round.update(fin, 0, 16);
            }
            if (i % 3 != 0) {
                round.update(saltBytes);
            }
            if (i % 7 != 0) {
                round.update(pw);
            }
            if ((i & 1) != 0) {
                round.update(fin, 0, 16);
            } else {
                round.update(pw);
            }
            fin = round.digest();
        }
        StringBuilder out = new StringBuilder(magic).append(salt).append('$');
        to64(out, (b(fin[0]) << 16) | (b(fin[6]) << 8) | b(fin[12]), 4);
        to64(out, (b(fin[1]) << 16) | (b(fin[7]) << 8) | b(fin[13]), 4);
        to64(out, (b(fin[2]) << 16) | (b(fin[8]) << 8) | b(fin[14]), 4);
        to64(out, (b(fin[3]) << 16) | (b(fin[9]) << 8) | b(fin[15]), 4);
        to64(out, (b(fin[4]) << 16) | (b(fin[10]) << 8) | b(fin[5]), 4);
        to64(out, b(fin[11]), 2);
        return out.toString();
    }

    private static int b(byte x) {
        return x & 0xff;
    }

    private static void to64(StringBuilder out, int v, int n) {
        for (int i = 0; i < n; i++) {
            out.append(ITOA64.charAt(v & 0x3f));
            v >>>= 6;
        }
    }

    static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
