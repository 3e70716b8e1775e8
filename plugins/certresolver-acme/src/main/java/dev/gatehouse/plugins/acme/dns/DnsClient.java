package dev.gatehouse.plugins.acme.dns;

import dev.gatehouse.api.FailureReasons;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The DNS look-ups of DNS-01, with dnsjava: the zone a name belongs to, its nameservers, and the TXT values a
 * server answers. Each query goes to the servers given, one after the other until one answers (UDP, TCP when the
 * answer is truncated).
 */
final class DnsClient {

    private final Duration timeout;

    DnsClient(Duration timeout) {
        this.timeout = timeout;
    }

    /** {@code host}, {@code host:port} or {@code [v6]:port}; port 53 when none is given (as lego). */
    static InetSocketAddress address(String hostAndPort) {
        return address(null, hostAndPort);
    }

    /**
     * {@link #address(String)}, with {@code setting} (the variable or key that holds it, such as
     * {@code RFC2136_NAMESERVER}) named first in the error of a malformed address.
     */
    static InetSocketAddress address(String setting, String hostAndPort) {
        String malformed = (setting == null ? "" : setting + ": ") + "'" + hostAndPort
                + "' is not a DNS server address (expected host, host:port or [IPv6]:port)";
        String text = hostAndPort.strip();
        String host = text;
        int port = 53;
        if (text.startsWith("[")) {
            int end = text.indexOf(']');
            if (end < 0) {
                throw new IllegalArgumentException(malformed);
            }
            host = text.substring(1, end);
            if (text.length() > end + 1) {
                port = port(malformed, text.substring(end + 1));
            }
        } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
            host = text.substring(0, text.indexOf(':'));
            port = port(malformed, text.substring(text.indexOf(':')));
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException(malformed);
        }
        return new InetSocketAddress(host, port);
    }

    private static int port(String malformed, String colonAndPort) {
        try {
            int port = Integer.parseInt(colonAndPort.substring(1));
            if (colonAndPort.charAt(0) == ':' && port > 0 && port < 65536) {
                return port;
            }
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            // reported below
        }
        throw new IllegalArgumentException(malformed);
    }

    /** The system's recursive resolvers (/etc/resolv.conf), as lego uses when {@code resolvers} is not set. */
    static List<InetSocketAddress> systemResolvers() {
        List<InetSocketAddress> servers = ResolverConfig.getCurrentConfig().servers();
        return servers.isEmpty() ? List.of(new InetSocketAddress("127.0.0.1", 53)) : servers;
    }

    static String display(InetSocketAddress server) {
        String host = server.getAddress() != null ? server.getAddress().getHostAddress() : server.getHostString();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + server.getPort();
    }

    /** Sends {@code query} to {@code server}, signed when {@code resolver} carries a TSIG key. */
    Message send(SimpleResolver resolver, Message query) throws IOException {
        resolver.setTimeout(timeout);
        return resolver.send(query);
    }

    Message query(InetSocketAddress server, Name name, int type) throws IOException {
        return send(new SimpleResolver(server), Message.newQuery(Record.newRecord(name, type, DClass.IN)));
    }

    /** The first answer of {@code servers} (in order) for {@code name}/{@code type}. */
    private Message queryAny(List<InetSocketAddress> servers, Name name, int type) throws IOException {
        IOException last = null;
        for (InetSocketAddress server : servers) {
            try {
                return query(server, name, type);
            } catch (IOException e) {
                last = new DnsChallengeException(display(server) + ": " + describe(e), e);
            }
        }
        throw last != null ? last : new DnsChallengeException("no DNS server to ask");
    }

    static String describe(IOException e) {
        return e instanceof java.net.SocketTimeoutException ? "no answer (timed out)"
                : FailureReasons.of(e);
    }

    /**
     * The zone {@code fqdn} belongs to: the closest enclosing name whose SOA the servers answer with (lego's
     * {@code FindZoneByFqdn}).
     */
    Name findZone(String fqdn, List<InetSocketAddress> servers) throws IOException {
        Name name = name(fqdn);
        String lastProblem = "no answer";
        for (int labels = name.labels(); labels > 1; labels--) {
            Name candidate = new Name(name, name.labels() - labels);
            Message answer;
            try {
                answer = queryAny(servers, candidate, Type.SOA);
            } catch (IOException e) {
                lastProblem = e.getMessage();
                continue;
            }
            int rcode = answer.getRcode();
            if (rcode == Rcode.NOERROR) {
                List<Record> records = answer.getSection(Section.ANSWER);
                if (records.stream().anyMatch(r -> r instanceof CNAMERecord)) {
                    continue;
                }
                for (Record record : records) {
                    if (record instanceof SOARecord) {
                        return record.getName();
                    }
                }
            } else if (rcode != Rcode.NXDOMAIN) {
                throw new DnsChallengeException("the DNS server answered " + Rcode.string(rcode) + " for the SOA of " + candidate);
            }
        }
        throw new DnsChallengeException("no DNS server of " + servers.stream().map(DnsClient::display).toList()
                + " knows the zone of " + fqdn + " (" + lastProblem + ")");
    }

    /** The nameservers (NS) of {@code zone}, as the servers answer. */
    List<String> nameservers(Name zone, List<InetSocketAddress> servers) throws IOException {
        List<String> names = new ArrayList<>();
        for (Record record : queryAny(servers, zone, Type.NS).getSection(Section.ANSWER)) {
            if (record instanceof NSRecord ns) {
                names.add(ns.getTarget().toString());
            }
        }
        if (names.isEmpty()) {
            throw new DnsChallengeException("the zone " + zone + " has no NS records");
        }
        return names;
    }

    /** The addresses of {@code host}: asked of the servers, else of the system's resolver. */
    List<InetAddress> addresses(String host, List<InetSocketAddress> servers) throws IOException {
        List<InetAddress> found = new ArrayList<>();
        for (int type : new int[] {Type.A, Type.AAAA}) {
            try {
                for (Record record : queryAny(servers, name(host), type).getSection(Section.ANSWER)) {
                    if (record instanceof ARecord a) {
                        found.add(a.getAddress());
                    } else if (record instanceof AAAARecord aaaa) {
                        found.add(aaaa.getAddress());
                    }
                }
            } catch (IOException e) {
                // the system's resolver below
            }
        }
        if (found.isEmpty()) {
            found.addAll(List.of(InetAddress.getAllByName(host.endsWith(".") ? host.substring(0, host.length() - 1) : host)));
        }
        return found;
    }

    /** What {@code server} answers for the TXT records of {@code fqdn}: each record's strings joined. */
    TxtAnswer txt(InetSocketAddress server, String fqdn) {
        try {
            Message answer = query(server, name(fqdn), Type.TXT);
            List<String> values = new ArrayList<>();
            for (Record record : answer.getSection(Section.ANSWER)) {
                if (record instanceof TXTRecord txt) {
                    values.add(String.join("", txt.getStrings()));
                }
            }
            return new TxtAnswer(Rcode.string(answer.getRcode()), values);
        } catch (IOException e) {
            return new TxtAnswer(describe(e), List.of());
        }
    }

    /**
     * Where the record for {@code fqdn} really goes: the end of its CNAME chain as the servers answer (at most 50
     * links), as lego follows it unless LEGO_DISABLE_CNAME_SUPPORT is true; {@code fqdn} itself without CNAME.
     */
    String followCnames(String fqdn, List<InetSocketAddress> servers) throws TextParseException {
        Name current = name(fqdn);
        for (int links = 0; links < 50; links++) {
            Message answer;
            try {
                answer = queryAny(servers, current, Type.CNAME);
            } catch (IOException e) {
                break;
            }
            if (answer.getRcode() != Rcode.NOERROR) {
                break;
            }
            Name next = null;
            for (Record record : answer.getSection(Section.ANSWER)) {
                if (record instanceof CNAMERecord cname && record.getName().equals(current)) {
                    next = cname.getTarget();
                }
            }
            if (next == null || next.equals(current)) {
                break;
            }
            current = next;
        }
        return current.toString();
    }

    /** A TXT answer: the response code (or why there was none) and the values. */
    record TxtAnswer(String status, List<String> values) {
        @Override
        public String toString() {
            return values.isEmpty() ? status + ", no TXT record" : "TXT " + values;
        }
    }

    static Name name(String fqdn) throws TextParseException {
        return Name.fromString(fqdn.endsWith(".") ? fqdn : fqdn + ".");
    }
}
