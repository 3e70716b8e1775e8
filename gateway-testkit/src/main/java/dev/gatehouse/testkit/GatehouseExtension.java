package dev.gatehouse.testkit;

import java.net.http.HttpResponse;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension around a {@link TestGateway}: registered on a {@code static} field, one gateway serves the
 * whole test class; on an instance field, each test gets its own.
 *
 * <pre>{@code
 * class RequestIdTest {
 *     @RegisterExtension
 *     static final GatehouseExtension gateway = GatehouseExtension.with(kit -> kit
 *             .pluginClasses("request-id", Path.of("target/classes"))
 *             .dynamic("""
 *                 http:
 *                   routers: {app: {rule: "PathPrefix(`/`)", middlewares: [rid], service: app}}
 *                   middlewares: {rid: {requestId: {}}}
 *                   services: {app: {loadBalancer: {servers: [{url: "${backend}"}]}}}
 *                 """));
 *
 *     @Test
 *     void addsAnId() {
 *         assertNotNull(gateway.get("/").headers().firstValue("X-Request-Id").orElse(null));
 *     }
 * }
 * }</pre>
 */
public final class GatehouseExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private final TestGateway.Builder builder;
    private TestGateway gateway;
    private boolean perClass;

    private GatehouseExtension(TestGateway.Builder builder) {
        this.builder = builder;
    }

    /** An extension whose gateway is configured by {@code configure} on a fresh {@link TestGateway#builder()}. */
    public static GatehouseExtension with(UnaryOperator<TestGateway.Builder> configure) {
        return new GatehouseExtension(Objects.requireNonNull(configure.apply(TestGateway.builder()), "builder"));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true;
        gateway = builder.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (gateway != null) {
            gateway.close();
            gateway = null;
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!perClass) {
            gateway = builder.start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass && gateway != null) {
            gateway.close();
            gateway = null;
        }
    }

    /** The running gateway. */
    public TestGateway gateway() {
        if (gateway == null) {
            throw new IllegalStateException("the gateway runs only during the tests of the class that registers it");
        }
        return gateway;
    }

    /** Shortcut for {@code gateway().get(path, headers)}. */
    public HttpResponse<String> get(String path, String... headers) {
        return gateway().get(path, headers);
    }

    /** Shortcut for {@code gateway().backend()}. */
    public TestBackend backend() {
        return gateway().backend();
    }
}
