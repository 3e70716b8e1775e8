package dev.gatehouse.plugins.acme.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

/**
 * {@code provider: rfc2136}: RFC 2136 dynamic updates, signed with TSIG, to an authoritative server such as BIND
 * or Knot. lego's variables: {@code RFC2136_NAMESERVER} (host or host:port, required), {@code RFC2136_TSIG_KEY},
 * {@code RFC2136_TSIG_SECRET}, {@code RFC2136_TSIG_ALGORITHM} (default {@code hmac-sha1.}), {@code RFC2136_TSIG_FILE}
 * (a BIND key file instead of the three), {@code RFC2136_TTL} (120), {@code RFC2136_DNS_TIMEOUT} (10 s),
 * {@code RFC2136_PROPAGATION_TIMEOUT} (60 s; {@code RFC2136_TIMEOUT} is read too), {@code RFC2136_POLLING_INTERVAL}
 * (2 s), {@code RFC2136_SEQUENCE_INTERVAL} (60 s). Without a key and secret the updates are sent unsigned.
 *
 * <p>The zone is the one the nameserver answers a SOA for; {@link #present} replaces the name's TXT records with
 * the challenge's value (as lego, which removes any left over), {@link #cleanup} deletes that one value.
 */
final class Rfc2136Provider implements DnsProvider {

    static final String NAME = "rfc2136";
    private static final Map<String, Name> ALGORITHMS = Map.of(
            "hmac-sha1", TSIG.HMAC_SHA1, "hmac-sha224", TSIG.HMAC_SHA224, "hmac-sha256", TSIG.HMAC_SHA256,
            "hmac-sha384", TSIG.HMAC_SHA384, "hmac-sha512", TSIG.HMAC_SHA512);

    private final InetSocketAddress nameserver;
    private final TSIG key;
    private final long ttl;
    private final DnsClient dns;
    private final Timing timing;

    Rfc2136Provider(LegoEnvironment env) {
        this.nameserver = DnsClient.address("RFC2136_NAMESERVER", env.require("RFC2136_NAMESERVER", NAME));
        this.key = key(env);
        this.ttl = env.number("RFC2136_TTL", 120);
        this.dns = new DnsClient(env.seconds("RFC2136_DNS_TIMEOUT", Duration.ofSeconds(10)));
        Duration legacyTimeout = env.seconds("RFC2136_TIMEOUT", Timing.DEFAULT_PROPAGATION_TIMEOUT);
        this.timing = Timing.read(env, "RFC2136_", true, legacyTimeout);
    }

    private static TSIG key(LegoEnvironment env) {
        String name = env.get("RFC2136_TSIG_KEY");
        String secret = env.get("RFC2136_TSIG_SECRET");
        String algorithm = env.get("RFC2136_TSIG_ALGORITHM");
        String file = env.get("RFC2136_TSIG_FILE");
        if (file != null && !file.isBlank()) {
            String[] fromFile = readKeyFile(file.strip());
            name = fromFile[0];
            algorithm = fromFile[1];
            secret = fromFile[2];
        }
        if (name == null || name.isBlank() || secret == null || secret.isBlank()) {
            return null;   // as lego: no key, no signature
        }
        String algorithmName = algorithm == null || algorithm.isBlank() ? "hmac-sha1"
                : algorithm.strip().toLowerCase(Locale.ROOT).replaceAll("\\.$", "");
        Name algorithmId = ALGORITHMS.get(algorithmName);
        if (algorithmId == null) {
            throw new IllegalArgumentException("RFC2136_TSIG_ALGORITHM '" + algorithm + "' is not supported (supported: "
                    + String.join(", ", new java.util.TreeSet<>(ALGORITHMS.keySet())) + ")");
        }
        byte[] secretBytes;
        try {
            // decoded here: dnsjava's TSIG(.., String) fails with a NullPointerException on a secret that is not base64
            secretBytes = Base64.getDecoder().decode(secret.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("RFC2136_TSIG_SECRET cannot be used: it is not base64 (" + e.getMessage()
                    + "); give the secret as tsig-keygen prints it");
        }
        try {
            return new TSIG(algorithmId, DnsClient.name(name.strip().toLowerCase(Locale.ROOT)), secretBytes);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("RFC2136_TSIG_KEY '" + name + "' / RFC2136_TSIG_SECRET cannot be used: "
                    + e.getMessage() + " (the key is a DNS name, the secret base64)");
        }
    }

    private static final Pattern KEY_FILE = Pattern.compile(
            "key\\s+\"?([^\"\\s{]+)\"?\\s*\\{(.*?)\\}\\s*;", Pattern.DOTALL);
    private static final Pattern KEY_ALGORITHM = Pattern.compile("algorithm\\s+\"?([^\";\\s]+)\"?\\s*;");
    private static final Pattern KEY_SECRET = Pattern.compile("secret\\s+\"([^\"]+)\"\\s*;");

    /** {@code key "name" { algorithm hmac-sha256; secret "..."; };} as tsig-keygen writes it: name, algorithm, secret. */
    private static String[] readKeyFile(String file) {
        String text;
        try {
            text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("RFC2136_TSIG_FILE " + file + " cannot be read: " + e.getMessage());
        }
        Matcher key = KEY_FILE.matcher(text);
        if (key.find()) {
            Matcher algorithm = KEY_ALGORITHM.matcher(key.group(2));
            Matcher secret = KEY_SECRET.matcher(key.group(2));
            if (algorithm.find() && secret.find()) {
                return new String[] {key.group(1), algorithm.group(1), secret.group(1)};
            }
        }
        throw new IllegalArgumentException("RFC2136_TSIG_FILE " + file
                + " is not a TSIG key file (expected key \"name\" { algorithm ...; secret \"...\"; };)");
    }

    @Override
    public void present(ChallengeRecord record) throws IOException {
        change(record, true);
    }

    @Override
    public void cleanup(ChallengeRecord record) throws IOException {
        change(record, false);
    }

    private void change(ChallengeRecord record, boolean add) throws IOException {
        Name zone = dns.findZone(record.fqdn(), List.of(nameserver));
        Name name = DnsClient.name(record.fqdn());
        TXTRecord txt = new TXTRecord(name, DClass.IN, ttl, record.value());
        Update update = new Update(zone);
        if (add) {
            update.delete(name, Type.TXT);
            update.add(txt);
        } else {
            update.delete(txt);
        }
        SimpleResolver resolver = new SimpleResolver(nameserver);
        resolver.setTCP(true);
        if (key != null) {
            resolver.setTSIGKey(key);
        }
        Message reply;
        try {
            reply = dns.send(resolver, update);
        } catch (IOException e) {
            throw new DnsChallengeException("rfc2136: the update of " + record.fqdn() + " sent to " + DnsClient.display(nameserver)
                    + " failed: " + DnsClient.describe(e), e);
        }
        if (reply.getRcode() != Rcode.NOERROR) {
            TSIGRecord signature = reply.getTSIG();
            String tsigError = signature != null && signature.getError() != Rcode.NOERROR
                    ? " (TSIG " + Rcode.TSIGstring(signature.getError()) + ")" : "";
            boolean refusedKey = reply.getRcode() == Rcode.NOTAUTH || reply.getRcode() == Rcode.REFUSED || !tsigError.isEmpty();
            throw new DnsChallengeException("rfc2136: the DNS server " + DnsClient.display(nameserver) + " refused the update of "
                    + record.fqdn() + " in zone " + zone + ": " + Rcode.string(reply.getRcode()) + tsigError
                    + (refusedKey ? "; check RFC2136_TSIG_KEY, RFC2136_TSIG_SECRET and RFC2136_TSIG_ALGORITHM against "
                    + "the server's key and its update policy" : ""));
        }
    }

    @Override
    public Timing timing() {
        return timing;
    }
}
