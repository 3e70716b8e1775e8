package dev.gatehouse.plugins.middlewares.tls;

import dev.gatehouse.api.Middleware;
import dev.gatehouse.api.MiddlewareContext;
import dev.gatehouse.plugins.middlewares.internal.RewrittenRequest;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.pf4j.Extension;

/**
 * {@code passTLSClientCert}: passes the client's TLS certificates (mutual TLS) to the backend, as Traefik does, in
 * {@code X-Forwarded-Tls-Client-Cert} (the PEM bodies) and {@code X-Forwarded-Tls-Client-Cert-Info} (selected
 * fields). The certificates are those Jetty's TLS connection recorded on the request.
 */
@Extension
public final class PassTLSClientCert implements Middleware<PassTLSClientCert.Config> {

    static final String CERT_HEADER = "X-Forwarded-Tls-Client-Cert";
    static final String INFO_HEADER = "X-Forwarded-Tls-Client-Cert-Info";
    private static final Map<String, String> OID_NAMES = Map.of("2.5.4.5", "SERIALNUMBER", "0.9.2342.19200300.100.1.25", "DC");

    /**
     * @param pem pass the certificates themselves
     * @param info pass these fields of them
     */
    public record Config(Boolean pem, Info info) {
    }

    public record Info(Boolean notAfter, Boolean notBefore, Boolean sans, Boolean serialNumber, DistinguishedName subject,
            DistinguishedName issuer) {
    }

    /** Parts of a subject or issuer name; {@code organizationalUnit} is ignored for the issuer, as in Traefik. */
    public record DistinguishedName(Boolean country, Boolean province, Boolean locality, Boolean organization,
            Boolean organizationalUnit, Boolean commonName, Boolean serialNumber, Boolean domainComponent) {
    }

    @Override
    public String name() {
        return "passTLSClientCert";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Handler.Wrapper create(Config config, MiddlewareContext context) {
        boolean pem = config != null && Boolean.TRUE.equals(config.pem());
        Info info = config == null ? null : config.info();
        return new Handler.Wrapper() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                X509Certificate[] certificates = certificates(request);
                if (certificates.length == 0 || (!pem && info == null)) {
                    return super.handle(request, response, callback);
                }
                HttpFields.Mutable headers = HttpFields.build(request.getHeaders());
                if (pem) {
                    headers.put(CERT_HEADER, pem(certificates));
                }
                if (info != null) {
                    headers.put(INFO_HEADER, URLEncoder.encode(info(info, certificates), StandardCharsets.UTF_8)
                            .replace("*", "%2A").replace("%7E", "~"));
                }
                return super.handle(RewrittenRequest.of(request, null, headers.asImmutable()), response, callback);
            }
        };
    }

    /** The client's certificates, leaf first, or none when the connection is not mutual TLS. */
    static X509Certificate[] certificates(Request request) {
        if (request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE) instanceof EndPoint.SslSessionData tls) {
            X509Certificate[] certificates = tls.peerCertificates();
            if (certificates != null) {
                return certificates;
            }
        }
        return new X509Certificate[0];
    }

    /** Each certificate's PEM without its BEGIN/END lines and line breaks, joined with {@code ,}. */
    static String pem(X509Certificate[] certificates) {
        List<String> values = new ArrayList<>();
        for (X509Certificate certificate : certificates) {
            try {
                values.add(Base64.getEncoder().encodeToString(certificate.getEncoded()));
            } catch (CertificateEncodingException e) {
                values.add("");
            }
        }
        return String.join(",", values);
    }

    /** Traefik's info: per certificate {@code Subject="...";Issuer="...";SerialNumber="...";NB="...";NA="...";SAN="..."}, joined with {@code ,}. */
    static String info(Info info, X509Certificate[] certificates) {
        List<String> values = new ArrayList<>();
        for (X509Certificate certificate : certificates) {
            List<String> fields = new ArrayList<>();
            String subject = distinguishedName(info.subject(), certificate.getSubjectX500Principal(), true);
            if (!subject.isEmpty()) {
                fields.add("Subject=\"" + subject + "\"");
            }
            String issuer = distinguishedName(info.issuer(), certificate.getIssuerX500Principal(), false);
            if (!issuer.isEmpty()) {
                fields.add("Issuer=\"" + issuer + "\"");
            }
            if (on(info.serialNumber()) && certificate.getSerialNumber() != null) {
                fields.add("SerialNumber=\"" + certificate.getSerialNumber() + "\"");
            }
            if (on(info.notBefore())) {
                fields.add("NB=\"" + certificate.getNotBefore().getTime() / 1000 + "\"");
            }
            if (on(info.notAfter())) {
                fields.add("NA=\"" + certificate.getNotAfter().getTime() / 1000 + "\"");
            }
            if (on(info.sans())) {
                List<String> sans = sans(certificate);
                if (!sans.isEmpty()) {
                    fields.add("SAN=\"" + String.join(",", sans) + "\"");
                }
            }
            values.add(String.join(";", fields));
        }
        return String.join(",", values);
    }

    private static boolean on(Boolean option) {
        return Boolean.TRUE.equals(option);
    }

    /** Go's order: domain components, then C, ST, L, O, OU (subject only), SN, CN, each as in the certificate. */
    static String distinguishedName(DistinguishedName options, X500Principal principal, boolean subject) {
        if (options == null) {
            return "";
        }
        List<Rdn> rdns;
        try {
            rdns = new LdapName(principal.getName(X500Principal.RFC2253, OID_NAMES)).getRdns();
        } catch (InvalidNameException e) {
            return "";
        }
        StringBuilder content = new StringBuilder();
        if (on(options.domainComponent())) {
            parts(content, rdns, "DC", "DC");
        }
        if (on(options.country())) {
            parts(content, rdns, "C", "C");
        }
        if (on(options.province())) {
            parts(content, rdns, "ST", "ST");
        }
        if (on(options.locality())) {
            parts(content, rdns, "L", "L");
        }
        if (on(options.organization())) {
            parts(content, rdns, "O", "O");
        }
        if (subject && on(options.organizationalUnit())) {
            parts(content, rdns, "OU", "OU");
        }
        if (on(options.serialNumber())) {
            last(content, rdns, "SERIALNUMBER", "SN");
        }
        if (on(options.commonName())) {
            last(content, rdns, "CN", "CN");
        }
        if (content.length() > 0) {
            content.setLength(content.length() - 1);
        }
        return content.toString();
    }

    /** Every value of {@code type}, in the certificate's order (LdapName lists the RDNs from the certificate's first). */
    private static void parts(StringBuilder content, List<Rdn> rdns, String type, String prefix) {
        for (Rdn rdn : rdns) {
            if (rdn.getType().equalsIgnoreCase(type) && rdn.getValue() instanceof String value && !value.isEmpty()) {
                content.append(prefix).append('=').append(value).append(',');
            }
        }
    }

    /** Go keeps one value for serial number and common name: the last one in the certificate. */
    private static void last(StringBuilder content, List<Rdn> rdns, String type, String prefix) {
        String found = null;
        for (Rdn rdn : rdns) {
            if (rdn.getType().equalsIgnoreCase(type) && rdn.getValue() instanceof String value) {
                found = value;
            }
        }
        if (found != null && !found.isEmpty()) {
            content.append(prefix).append('=').append(found).append(',');
        }
    }

    /** DNS names, then e-mail addresses, then IP addresses (as Go prints them), then URIs. */
    static List<String> sans(X509Certificate certificate) {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return List.of();
        }
        if (names == null) {
            return List.of();
        }
        List<String> sans = new ArrayList<>();
        for (int type : new int[] {2, 1, 7, 6}) {
            for (List<?> name : names) {
                if (name.size() >= 2 && name.get(0) instanceof Integer kind && kind == type && name.get(1) instanceof String value) {
                    sans.add(type == 7 ? goIp(value) : value);
                }
            }
        }
        return sans;
    }

    /** Go's {@code net.IP.String()}: IPv6 with the longest run of zero groups as {@code ::} and no leading zeros. */
    static String goIp(String address) {
        if (!address.contains(":")) {
            return address;
        }
        try {
            byte[] bytes = InetAddress.getByName(address).getAddress();
            if (bytes.length != 16) {
                return InetAddress.getByAddress(bytes).getHostAddress();
            }
            int[] groups = new int[8];
            for (int i = 0; i < 8; i++) {
                groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
            }
            int bestStart = -1;
            int bestLength = 1;
            for (int i = 0; i < 8; ) {
                if (groups[i] != 0) {
                    i++;
                    continue;
                }
                int j = i;
                while (j < 8 && groups[j] == 0) {
                    j++;
                }
                if (j - i > bestLength) {
                    bestStart = i;
                    bestLength = j - i;
                }
                i = j;
            }
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 8; i++) {
                if (i == bestStart) {
                    text.append("::");
                    i += bestLength - 1;
                    continue;
                }
                if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                    text.append(':');
                }
                text.append(Integer.toHexString(groups[i]));
            }
            return text.toString();
        } catch (java.net.UnknownHostException e) {
            return address;
        }
    }
}
