package dev.gatehouse.plugins.middlewares;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.re2j.Pattern;
import dev.gatehouse.plugins.middlewares.auth.ForwardAuth;
import dev.gatehouse.plugins.middlewares.headers.Headers;
import dev.gatehouse.plugins.middlewares.internal.GoRegex;
import dev.gatehouse.plugins.middlewares.path.ReplacePathRegex;
import dev.gatehouse.plugins.middlewares.path.StripPrefixRegex;
import dev.gatehouse.plugins.middlewares.redirect.RedirectRegex;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.eclipse.jetty.server.Handler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every middleware option that takes a regexp, built from any text: the only outcomes are a configuration error
 * that names the option, or a handler whose regexp then rewrites request-sized input on a thread with the
 * product's 512 KiB stack; no other exception, no hang. Tries: {@code jqwik.tries.default} (docs/fuzzing.md).
 */
class RegexOptionsFuzzTest {

    /** The options, each as a way to build its middleware around one regexp. */
    enum Option {
        STRIP_PREFIX_REGEX("regex") {
            @Override
            Handler.Wrapper create(String regexp) throws Exception {
                return new StripPrefixRegex().create(new StripPrefixRegex.Config(List.of(regexp)), null);
            }
        },
        REPLACE_PATH_REGEX("regex") {
            @Override
            Handler.Wrapper create(String regexp) throws Exception {
                return new ReplacePathRegex().create(new ReplacePathRegex.Config(regexp, "/x$1"), null);
            }
        },
        REDIRECT_REGEX("regex") {
            @Override
            Handler.Wrapper create(String regexp) throws Exception {
                return new RedirectRegex().create(new RedirectRegex.Config(regexp, "https://a/$1", null), null);
            }
        },
        ORIGIN_LIST_REGEX("accessControlAllowOriginListRegex") {
            @Override
            Handler.Wrapper create(String regexp) throws Exception {
                return new Headers().create(only(Headers.Config.class,
                        Map.of("accessControlAllowOriginListRegex", List.of(regexp))), null);
            }
        },
        AUTH_RESPONSE_HEADERS_REGEX("authResponseHeadersRegex") {
            @Override
            Handler.Wrapper create(String regexp) throws Exception {
                return new ForwardAuth(new TestEnvironment()).create(only(ForwardAuth.Config.class,
                        Map.of("address", "http://127.0.0.1:1/auth", "authResponseHeadersRegex", regexp)), null);
            }
        };

        final String key;

        Option(String key) {
            this.key = key;
        }

        abstract Handler.Wrapper create(String regexp) throws Exception;
    }

    /** A config record with only the given components set, the others null (their defaults). */
    static <R extends Record> R only(Class<R> type, Map<String, Object> values) throws Exception {
        RecordComponent[] components = type.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        Object[] arguments = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            arguments[i] = values.get(components[i].getName());
        }
        return type.getDeclaredConstructor(types).newInstance(arguments);
    }

    private static final Duration PER_TRY = Duration.ofSeconds(5);
    private static final List<String> INPUTS = List.of("", "/", "/api/v1/users", "/" + "a".repeat(300),
            "https://a.example.com/x?y", "/é/%2F" + "ab".repeat(50));

    static void refusedOrServes(Option option, String regexp) {
        assertTimeoutPreemptively(PER_TRY, () -> {
            try {
                assertNotNull(option.create(regexp));
            } catch (IllegalArgumentException refused) {
                assertTrue(refused.getMessage().contains(option.key), refused.getMessage());
                return;
            }
            Pattern pattern = GoRegex.compile(option.key, regexp);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread request = new Thread(null, () -> {
                try {
                    for (String input : INPUTS) {
                        GoRegex.replaceAll(pattern, input, "/x$1${name}$$");
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "request-sized-stack", 512 * 1024);
            request.start();
            request.join();
            if (failure.get() != null) {
                throw new AssertionError(option + " accepted a regexp it cannot apply: " + failure.get(), failure.get());
            }
        });
    }

    @Property
    void everyRegexpOptionRefusesOrServes(@ForAll Option option, @ForAll("regexps") String regexp) {
        refusedOrServes(option, regexp);
    }

    /** The issue's expression: each option refuses it, naming itself and the reason. */
    @ParameterizedTest
    @EnumSource(Option.class)
    void everyRegexpOptionRefusesTheIssuesExpression(Option option) {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> option.create("((((a{100}){100}){100}){100})"));
        assertTrue(e.getMessage().contains(option.key) && e.getMessage().contains("multiply to 100,000,000"),
                e.getMessage());
    }

    @Test
    void realExpressionsFromTraefiksDocumentationStillWork() throws Exception {
        for (Option option : Option.values()) {
            for (String regexp : List.of("^/foo/[a-z0-9]+/[0-9]+/", "^http://localhost/(.*)", "^X-Auth-",
                    "^https://([a-z0-9-]+)\\.example\\.com$")) {
                assertNotNull(option.create(regexp), option + " " + regexp);
            }
        }
    }

    @Provide
    Arbitrary<String> regexps() {
        Arbitrary<String> token = Arbitraries.of("(", ")", "(?:", "(?P<name>", "|", "*", "+", "?", "{1000}", "{2,1000}",
                "{0,}", "{100}", "{", "}", "[", "]", "[a-z]", "^", "$", "\\", "\\pL", "\\d", "a", "/", ".", "(?i)", "()");
        return token.list().ofMaxSize(40).map(parts -> String.join("", parts));
    }
}
