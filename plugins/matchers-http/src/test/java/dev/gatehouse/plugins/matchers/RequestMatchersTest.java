package dev.gatehouse.plugins.matchers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.gatehouse.api.RequestPredicate;
import java.net.InetAddress;
import java.util.Arrays;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The matchers that read the Jetty request (Method, Header, HeaderRegexp, Query, QueryRegexp, ClientIP),
 * against real requests sent byte for byte to a real Jetty server on the loopback interface.
 */
class RequestMatchersTest {

    private static TinyServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new TinyServer("127.0.0.1");
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    /** Arguments separated by ' ; '. */
    private static RequestPredicate compile(String name, String arguments) {
        return AllMatchers.named(name).compile(Arrays.asList(arguments.split(" ; ", -1)));
    }

    /** Header lines separated by ' ~ '. */
    private static String[] lines(String headers) {
        return headers == null ? new String[0] : headers.split(" ~ ");
    }

    @ParameterizedTest(name = "Method({0}) on {1}: {2}")
    @CsvSource(delimiterString = " | ", textBlock = """
            GET     | GET     | true
            get     | GET     | true
            GET     | POST    | false
            OPTIONS | OPTIONS | true
            PURGE   | PURGE   | true
            """)
    void method(String argument, String method, boolean expected) throws Exception {
        assertEquals(expected, server.matches(compile("Method", argument), method, "/"));
    }

    /** matcher | arguments | header lines | expected. */
    @ParameterizedTest(name = "{0}({1}) with [{2}]: {3}")
    @CsvSource(delimiterString = " | ", textBlock = """
            Header       | Content-Type ; application/yaml          | Content-Type: application/yaml                 | true
            Header       | content-type ; application/yaml          | CONTENT-TYPE: application/yaml                 | true
            Header       | Content-Type ; application/yaml          | Content-Type: application/YAML                 | false
            Header       | Content-Type ; application/yaml          | Content-Type: application/yaml; charset=utf-8  | false
            Header       | X-Env ; b                                | X-Env: a ~ X-Env: b                            | true
            Header       | X-Env ; b                                | X-Env: a, b                                    | false
            Header       | X-Env ; a, b                             | X-Env: a, b                                    | true
            Header       | X-Env ; a                                | X-Other: a                                     | false
            Header       | X-Env ; a                                |                                                | false
            Header       | X-Custom-Name ; v                        | x-custom-name: v                               | true
            HeaderRegexp | Content-Type ; ^application/(json|yaml)$ | Content-Type: application/json                 | true
            HeaderRegexp | Content-Type ; ^application/(json|yaml)$ | Content-Type: application/json; charset=utf-8  | false
            HeaderRegexp | Content-Type ; application/(json|yaml)   | Content-Type: application/json; charset=utf-8  | true
            HeaderRegexp | Content-Type ; (?i)^application/JSON$    | Content-Type: Application/Json                 | true
            HeaderRegexp | X-Env ; ^b$                              | X-Env: a ~ X-Env: b                            | true
            HeaderRegexp | x-env ; [[:digit:]]                      | X-ENV: v2                                      | true
            HeaderRegexp | X-Env ; .*                               |                                                | false
            """)
    void headers(String name, String arguments, String headers, boolean expected) throws Exception {
        assertEquals(expected, server.matches(compile(name, arguments), "GET", "/", lines(headers)));
    }

    /** TRAEFIK-FACTS 5, and Go's url.ParseQuery rules. matcher | arguments | query | expected. */
    @ParameterizedTest(name = "{0}({1}) on ?{2}: {3}")
    @CsvSource(delimiterString = " | ", textBlock = """
            Query       | mobile ; true        | mobile=true               | true
            Query       | mobile ; true        | a=1&mobile=true&b         | true
            Query       | mobile ; true        | mobile=false&mobile=true  | true
            Query       | mobile ; true        | mobile=TRUE               | false
            Query       | mobile ; true        | Mobile=true               | false
            Query       | mobile ; true        | mobile                    | false
            Query       | mobile               | mobile                    | true
            Query       | mobile               | mobile=                   | true
            Query       | mobile               | a=1&mobile                | true
            Query       | mobile               | mobile=1                  | false
            Query       | mobile               | mobile=1&mobile           | true
            Query       | mobile               | mobiles                   | false
            Query       | mobile               | x=mobile                  | false
            Query       | mobile               | ''                        | false
            Query       | q ; a b              | q=a+b                     | true
            Query       | q ; a b              | q=a%20b                   | true
            Query       | q ; a+b              | q=a%2Bb                   | true
            Query       | q ; a&b              | q=a%26b                   | true
            Query       | my key ; é           | my+key=%C3%A9             | true
            Query       | q ; é                | q=%c3%a9                  | true
            Query       | q ; 1                | q=1;x=2                   | false
            Query       | q ; 1                | x=2;y&q=1                 | true
            Query       | q ; 1                | q=1&bad=%zz               | true
            Query       | q ; 1%zz             | q=1%zz                    | false
            Query       | q ; 1                | &&q=1&&                   | true
            Query       | q ; a=b              | q=a=b                     | true
            QueryRegexp | mobile ; ^(true|yes)$ | mobile=yes               | true
            QueryRegexp | mobile ; ^(true|yes)$ | mobile=yes-no            | false
            QueryRegexp | mobile ; (?i)^(true|yes)$ | mobile=YES           | true
            QueryRegexp | mobile ; ^.*$        | mobile                    | true
            QueryRegexp | mobile ; ^.*$        | mobile=anything           | true
            QueryRegexp | mobile ; ^.*$        | other=1                   | false
            QueryRegexp | mobile ; es          | mobile=yes                | true
            QueryRegexp | q ; ^a b$            | q=a+b                     | true
            QueryRegexp | q ; ^[0-9]+$         | q=x&q=12                  | true
            QueryRegexp | mobile               | mobile                    | true
            QueryRegexp | mobile               | mobile=1                  | false
            """)
    void query(String name, String arguments, String query, boolean expected) throws Exception {
        String target = query.equals("''") ? "/" : "/search?" + query;
        assertEquals(expected, server.matches(compile(name, arguments), "GET", target));
    }

    /** TRAEFIK-FACTS 6: the connection's address (127.0.0.1 here), never X-Forwarded-For. */
    @ParameterizedTest(name = "ClientIP({0}) from 127.0.0.1 [{1}]: {2}")
    @CsvSource(delimiterString = " | ", textBlock = """
            127.0.0.1      |                                    | true
            127.0.0.0/8    |                                    | true
            127.0.0.2      |                                    | false
            10.0.0.0/8     | X-Forwarded-For: 10.1.2.3          | false
            10.1.2.3       | X-Forwarded-For: 10.1.2.3 ~ X-Real-Ip: 10.1.2.3 | false
            127.0.0.1      | X-Forwarded-For: 10.1.2.3          | true
            0.0.0.0/0      |                                    | true
            127.1.2.3/8    |                                    | true
            ::1            |                                    | false
            ::/0           |                                    | false
            ::ffff:127.0.0.1 |                                  | true
            """)
    void clientIp(String argument, String headers, boolean expected) throws Exception {
        assertEquals(expected, server.matches(compile("ClientIP", argument), "GET", "/", lines(headers)));
    }

    @Test
    void clientIpOverIpv6() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ipv6Loopback(), "no IPv6 loopback here");
        try (TinyServer v6 = new TinyServer("::1")) {
            assertEquals(true, v6.matches(compile("ClientIP", "::1"), "GET", "/"));
            assertEquals(true, v6.matches(compile("ClientIP", "::/64"), "GET", "/"));
            assertEquals(false, v6.matches(compile("ClientIP", "127.0.0.1"), "GET", "/"));
            assertEquals(false, v6.matches(compile("ClientIP", "fe80::/10"), "GET", "/"));
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void hostileHeaderAndQueryValuesFinishQuickly() throws Exception {
        String hostile = "a".repeat(10_000) + "!";
        assertFalse(server.matches(compile("HeaderRegexp", "X-A ; (a+)+$"), "GET", "/", "X-A: " + hostile));
        assertFalse(server.matches(compile("QueryRegexp", "q ; (a|aa)+$"), "GET", "/?q=" + hostile));
    }

    private static boolean ipv6Loopback() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }

}
