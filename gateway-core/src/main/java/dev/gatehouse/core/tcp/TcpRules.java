package dev.gatehouse.core.tcp;

import dev.gatehouse.api.net.IpBlock;
import dev.gatehouse.core.router.Rule;
import dev.gatehouse.core.router.RuleParser;
import dev.gatehouse.core.router.RuleSyntaxException;
import dev.gatehouse.core.tls.TlsPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The rules of TCP routers: Traefik's TCP matchers {@code HostSNI}, {@code ClientIP} and {@code ALPN}
 * ({@code HostSNIRegexp} is not there yet), combined with {@code &&}, {@code ||}, {@code !} and parentheses. The text is read by the same
 * {@link RuleParser} as HTTP rules, so both have one grammar and the same syntax errors.
 */
public final class TcpRules {

    /** {@code HostSNI}'s argument: a host name or IP, optionally starting with {@code *.}, as Traefik checks it. */
    private static final java.util.regex.Pattern HOST_OR_IP = java.util.regex.Pattern.compile("^(\\*\\.)?[\\w.\\-:]+$");

    /** Matcher name (case-insensitive, as Traefik's parser reads it) to what compiles its one argument. */
    private static final Map<String, Function<String, Predicate<TcpMatch>>> MATCHERS =
            new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    static {
        MATCHERS.put("HostSNI", TcpRules::hostSni);
        MATCHERS.put("ClientIP", TcpRules::clientIp);
        MATCHERS.put("ALPN", TcpRules::alpn);
    }

    private TcpRules() {
    }

    /** A compiled rule: what it matches, and what the router's set-up needs to know of it. */
    public record Compiled(Predicate<TcpMatch> predicate, List<String> hostSniNames, boolean catchAll) {
    }

    /** Parses and compiles; the exception's message says where and what. */
    public static Compiled compile(String text) throws RuleSyntaxException {
        Rule rule = RuleParser.parse(text);
        List<String> names = new ArrayList<>();
        Predicate<TcpMatch> predicate = compile(rule, names);
        boolean catchAll = rule instanceof Rule.Call call && call.name().equalsIgnoreCase("HostSNI")
                && call.arguments().size() == 1 && call.arguments().get(0).equals("*");
        return new Compiled(predicate, List.copyOf(names), catchAll);
    }

    private static Predicate<TcpMatch> compile(Rule rule, List<String> hostSniNames) throws RuleSyntaxException {
        if (rule instanceof Rule.Call call) {
            Function<String, Predicate<TcpMatch>> matcher = MATCHERS.get(call.name());
            if (matcher == null) {
                throw new RuleSyntaxException(call.position(), "unknown TCP matcher '" + call.name()
                        + "' (known: ALPN, ClientIP, HostSNI)");
            }
            if (call.arguments().size() != 1) {
                throw new RuleSyntaxException(call.position(), call.name() + " expects 1 argument, got "
                        + call.arguments().size());
            }
            try {
                Predicate<TcpMatch> predicate = matcher.apply(call.arguments().get(0));
                if (call.name().equalsIgnoreCase("HostSNI")) {
                    hostSniNames.add(canonical(call.arguments().get(0)));
                }
                return predicate;
            } catch (IllegalArgumentException e) {
                throw new RuleSyntaxException(call.position(), call.name() + ": " + e.getMessage());
            }
        }
        if (rule instanceof Rule.Not not) {
            Predicate<TcpMatch> operand = compile(not.operand(), hostSniNames);
            return operand.negate();
        }
        List<Rule> operands = rule instanceof Rule.And and ? and.operands() : ((Rule.Or) rule).operands();
        List<Predicate<TcpMatch>> compiled = new ArrayList<>(operands.size());
        for (Rule operand : operands) {
            compiled.add(compile(operand, hostSniNames));
        }
        @SuppressWarnings("unchecked")
        Predicate<TcpMatch>[] all = compiled.toArray(new Predicate[0]);
        if (rule instanceof Rule.And) {
            return match -> {
                for (Predicate<TcpMatch> operand : all) {
                    if (!operand.test(match)) {
                        return false;
                    }
                }
                return true;
            };
        }
        return match -> {
            for (Predicate<TcpMatch> operand : all) {
                if (operand.test(match)) {
                    return true;
                }
            }
            return false;
        };
    }

    private static String canonical(String host) {
        String lower = host.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    /**
     * {@code HostSNI(`*`)} matches every connection, with or without TLS; {@code HostSNI(`db.example.com`)} the
     * server name, case-insensitively; {@code HostSNI(`*.example.com`)} one label in front of {@code example.com}.
     */
    private static Predicate<TcpMatch> hostSni(String host) {
        if (host.equals("*")) {
            return match -> true;
        }
        if (!HOST_OR_IP.matcher(host).matches()) {
            throw new IllegalArgumentException("'" + host + "' is not a valid host name");
        }
        String expected = canonical(host);
        if (expected.startsWith("*.")) {
            String suffix = expected.substring(1);
            return match -> match.serverName() != null && match.serverName().endsWith(suffix)
                    && match.serverName().indexOf('.') == match.serverName().length() - suffix.length();
        }
        return match -> expected.equals(match.serverName());
    }

    /** {@code ClientIP(`10.0.0.0/8`)}: the client's address, an IP or a CIDR. */
    private static Predicate<TcpMatch> clientIp(String range) {
        IpBlock block = IpBlock.parse(range.strip());
        return match -> match.clientAddress() != null && block.contains(match.clientAddress());
    }

    /** {@code ALPN(`h2`)}: the client offered this protocol. */
    private static Predicate<TcpMatch> alpn(String protocol) {
        if (protocol.equals(TlsPolicy.ACME_TLS_1)) {
            throw new IllegalArgumentException("'" + TlsPolicy.ACME_TLS_1 + "' is not allowed (it is the ACME "
                    + "TLS-ALPN-01 challenge's)");
        }
        return match -> match.alpn().contains(protocol);
    }
}
