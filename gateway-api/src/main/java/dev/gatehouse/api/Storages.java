package dev.gatehouse.api;

import java.io.IOException;

/**
 * Opens a {@link Storage} by location, as a resolver's configuration names it ({@code storage: acme.json}). The
 * gateway provides it to extensions that ask for it in their constructor.
 */
@FunctionalInterface
public interface Storages {

    /**
     * @param location a file path, relative to the gateway's home; a plugin-provided store may accept others
     * @throws IOException when the store cannot be opened or read (a corrupt file is kept aside and reported)
     */
    Storage open(String location) throws IOException;
}
