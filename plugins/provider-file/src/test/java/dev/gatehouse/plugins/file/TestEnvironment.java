package dev.gatehouse.plugins.file;

import dev.gatehouse.api.GatewayEnvironment;
import java.nio.file.Path;

/** Resolves relative paths against a folder, as the gateway does against its configuration file's folder. */
record TestEnvironment(Path base) implements GatewayEnvironment {

    @Override
    public String version() {
        return "test";
    }

    @Override
    public Path home() {
        return base;
    }

    @Override
    public Path resolve(String path) {
        return base.resolve(path);
    }
}
