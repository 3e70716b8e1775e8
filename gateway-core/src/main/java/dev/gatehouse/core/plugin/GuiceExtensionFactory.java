package dev.gatehouse.core.plugin;

import com.google.inject.Injector;
import org.pf4j.ExtensionFactory;
import org.pf4j.PluginRuntimeException;

/**
 * The seam where extensions get their constructor arguments: PF4J asks for an instance, Guice builds it
 * with the gateway's bindings (only {@code gateway-api} types are bound for plugins to ask for).
 */
final class GuiceExtensionFactory implements ExtensionFactory {

    private final Injector injector;

    GuiceExtensionFactory(Injector injector) {
        this.injector = injector;
    }

    @Override
    public <T> T create(Class<T> extensionClass) {
        try {
            return injector.getInstance(extensionClass);
        } catch (RuntimeException e) {
            // Guice's messages are long; the first cause is the useful part for a plugin author.
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new PluginRuntimeException(cause, "cannot create extension {}: {}", extensionClass.getName(),
                    firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no reason given";
        }
        String trimmed = message.strip();
        int newline = trimmed.indexOf('\n');
        return newline < 0 ? trimmed : trimmed.substring(0, newline);
    }
}
