package dev.gatehouse.plugins.middlewares;

import dev.gatehouse.api.GatewayEnvironment;
import java.nio.file.Path;

/** The gateway's environment for unit tests: paths resolve against the working directory. */
public final class TestEnvironment implements GatewayEnvironment {
    @Override
    public String version() {
        return "test";
    }

    @Override
    public Path home() {
        return Path.of(".");
    }

    @Override
    public Path resolve(String path) {
        return Path.of(path);
    }
}
