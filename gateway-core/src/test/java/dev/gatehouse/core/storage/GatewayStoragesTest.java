package dev.gatehouse.core.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gatehouse.api.Storage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the gateway adds around a shared store: secrets encrypted with {@code storage.encryptionKey}, and an existing
 * storage file ({@code acme.json}) imported once.
 */
class GatewayStoragesTest {

    private static final byte[] PEM = "-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n"
            .getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }

    @Test
    void withAnEncryptionKeySecretsAreStoredEncryptedAndReadBackPlain() throws IOException {
        MemoryStore store = new MemoryStore();
        byte[] key = randomKey();
        Storage storage = new EncryptedSecrets(store, key);

        storage.putSecret("acme/le/keys/a.example.test", PEM);
        storage.put("acme/le/certificates/a.example.test", "chain".getBytes(StandardCharsets.US_ASCII));

        String raw = new String(store.entries.get("acme/le/keys/a.example.test"), StandardCharsets.US_ASCII);
        assertTrue(raw.startsWith(EncryptedSecrets.PREFIX), raw);
        assertFalse(raw.contains("PRIVATE KEY"), raw);
        assertArrayEquals(PEM, storage.getSecret("acme/le/keys/a.example.test").orElseThrow());
        assertEquals("chain", new String(store.entries.get("acme/le/certificates/a.example.test"), StandardCharsets.US_ASCII),
                "only secrets are encrypted");
        // Another gateway with the same key reads it.
        assertArrayEquals(PEM, new EncryptedSecrets(store, key).getSecret("acme/le/keys/a.example.test").orElseThrow());
    }

    @Test
    void aSecretCannotBeReadWithAnotherKeyWithoutAKeyOrUnderAnotherName() throws IOException {
        MemoryStore store = new MemoryStore();
        new EncryptedSecrets(store, randomKey()).putSecret("acme/le/keys/a.example.test", PEM);

        IOException otherKey = assertThrows(IOException.class,
                () -> new EncryptedSecrets(store, randomKey()).getSecret("acme/le/keys/a.example.test"));
        assertTrue(otherKey.getMessage().contains("every gateway sharing the store needs the same key"), otherKey.getMessage());
        IOException noKey = assertThrows(IOException.class,
                () -> new EncryptedSecrets(store, null).getSecret("acme/le/keys/a.example.test"));
        assertTrue(noKey.getMessage().contains("set storage.encryptionKey"), noKey.getMessage());

        byte[] key = randomKey();
        EncryptedSecrets storage = new EncryptedSecrets(store, key);
        storage.putSecret("acme/le/keys/a.example.test", PEM);
        store.put("acme/le/keys/b.example.test", store.get("acme/le/keys/a.example.test").orElseThrow());
        assertThrows(IOException.class, () -> storage.getSecret("acme/le/keys/b.example.test"),
                "a value copied under another entry's name does not decrypt");
    }

    @Test
    void aSecretStoredBeforeTheKeyWasSetIsReadAndEncryptedInPlace() throws IOException {
        MemoryStore store = new MemoryStore();
        store.put("acme/le/account/key", PEM);
        EncryptedSecrets storage = new EncryptedSecrets(store, randomKey());

        assertArrayEquals(PEM, storage.getSecret("acme/le/account/key").orElseThrow());
        assertTrue(EncryptedSecrets.isEncrypted(store.entries.get("acme/le/account/key")));
        assertArrayEquals(PEM, storage.getSecret("acme/le/account/key").orElseThrow());
    }

    @Test
    void withoutAKeySecretsAreStoredAsTheyAre() throws IOException {
        MemoryStore store = new MemoryStore();
        new EncryptedSecrets(store, null).putSecret("acme/le/account/key", PEM);
        assertArrayEquals(PEM, store.entries.get("acme/le/account/key"));
    }

    @Test
    void anExistingStorageFileIsImportedOnceAndKeptAside() throws IOException {
        Path file = dir.resolve("acme.json");
        FileStorage old = FileStorage.open(file, Clock.systemUTC());
        old.put("acme/le/account/key", PEM);
        old.put("acme/le/account/url", "https://ca/acct/1".getBytes(StandardCharsets.US_ASCII));
        MemoryStore store = new MemoryStore();
        GatewayStorages storages = new GatewayStorages(dir::resolve);
        storages.share(store, null);

        Storage opened = storages.open("acme.json");

        assertArrayEquals(PEM, opened.getSecret("acme/le/account/key").orElseThrow());
        assertEquals(List.of("acme/le/account/key", "acme/le/account/url"), List.copyOf(store.entries.keySet()));
        assertFalse(Files.exists(file), "the file is renamed, so that it is not imported again");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.filter(p -> p.getFileName().toString().startsWith("acme.json.imported-")).count());
        }
        assertArrayEquals(PEM, storages.open("other.json").getSecret("acme/le/account/key").orElseThrow(),
                "every location opens the one shared store");
        assertSame(opened, storages.open("acme.json"));
    }

    @Test
    void aFileIsImportedOnceTheStoreAnswersWithoutOpeningWaitingForIt() throws IOException {
        Path file = dir.resolve("acme.json");
        FileStorage.open(file, Clock.systemUTC()).put("acme/le/account/url", "https://ca/acct/1".getBytes(StandardCharsets.US_ASCII));
        MemoryStore store = new MemoryStore();
        store.down = true;
        GatewayStorages storages = new GatewayStorages(dir::resolve);
        storages.share(store, null);

        Storage opened = storages.open("acme.json");   // the store is not asked: a resolver starts at once
        IOException down = assertThrows(IOException.class, () -> opened.list("acme/le/"));
        assertEquals("cannot reach the store (no answer)", down.getMessage());
        assertTrue(Files.exists(file));

        store.down = false;
        assertEquals(List.of("acme/le/account/url"), opened.list("acme/le/"), "imported before the first read");
        assertFalse(Files.exists(file), "renamed once imported");
    }

    @Test
    void aFileIsNotMixedIntoAStoreThatAlreadyHoldsItsEntries() throws IOException {
        Path file = dir.resolve("acme.json");
        FileStorage.open(file, Clock.systemUTC()).put("acme/le/account/key", PEM);
        MemoryStore store = new MemoryStore();
        store.put("acme/le/account/key", "another gateway's account".getBytes(StandardCharsets.US_ASCII));
        GatewayStorages storages = new GatewayStorages(dir::resolve);
        storages.share(store, null);

        storages.open("acme.json").list("");

        assertEquals("another gateway's account", new String(store.entries.get("acme/le/account/key"), StandardCharsets.US_ASCII));
        assertTrue(Files.exists(file), "the file is left as it is");
    }

    @Test
    void withoutASharedStoreEachLocationIsItsFile() throws IOException {
        GatewayStorages storages = new GatewayStorages(dir::resolve);
        storages.open("acme.json").put("k", PEM);
        assertTrue(Files.exists(dir.resolve("acme.json")));
        MemoryStore store = new MemoryStore();
        storages.share(store, null);
        storages.close();
        assertTrue(store.closed, "the shared store is closed with the gateway");
    }
}
