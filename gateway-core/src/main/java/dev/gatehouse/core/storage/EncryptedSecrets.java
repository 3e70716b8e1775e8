package dev.gatehouse.core.storage;

import dev.gatehouse.api.Storage;
import dev.gatehouse.api.StorageBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A shared store whose secrets ({@link Storage#putSecret}: private keys) are encrypted with
 * {@code storage.encryptionKey} before they leave the gateway: AES-256-GCM, a random 96-bit nonce per value, the
 * entry's key as associated data (so a value copied under another key does not decrypt). A stored secret reads
 * {@value #PREFIX} then base64 of nonce and ciphertext, so it is recognisable with {@code etcdctl} or
 * {@code redis-cli}. Everything else passes through unchanged.
 *
 * <p>A secret stored before the key was set (imported from an {@code acme.json}, or written by a gateway without the
 * key) is read as it is and written back encrypted at once. Without the key, an encrypted secret cannot be read: the
 * error says to set the key.
 */
final class EncryptedSecrets implements StorageBackend.Connected {

    private static final Logger LOG = LoggerFactory.getLogger(EncryptedSecrets.class);
    static final String PREFIX = "gatehouse-aes256gcm:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final StorageBackend.Connected store;
    /** null: secrets are stored as they are (and an encrypted one is refused). */
    private final SecretKeySpec key;

    EncryptedSecrets(StorageBackend.Connected store, byte[] key) {
        this.store = store;
        this.key = key == null ? null : new SecretKeySpec(key, "AES");
    }

    @Override
    public void putSecret(String name, byte[] value) throws IOException {
        store.put(name, key == null ? value : encrypt(name, value));
    }

    @Override
    public Optional<byte[]> getSecret(String name) throws IOException {
        Optional<byte[]> stored = store.get(name);
        if (stored.isEmpty()) {
            return stored;
        }
        byte[] value = stored.get();
        if (!isEncrypted(value)) {
            if (key != null) {
                LOG.info("Storage: the secret {} was stored unencrypted; it is encrypted with storage.encryptionKey now",
                        name);
                store.put(name, encrypt(name, value));
            }
            return stored;
        }
        if (key == null) {
            throw new IOException("the storage entry " + name + " is encrypted: set storage.encryptionKey (the key the "
                    + "other gateways use) to read it");
        }
        return Optional.of(decrypt(name, value));
    }

    static boolean isEncrypted(byte[] value) {
        byte[] prefix = PREFIX.getBytes(StandardCharsets.US_ASCII);
        return value.length >= prefix.length && Arrays.equals(value, 0, prefix.length, prefix, 0, prefix.length);
    }

    private byte[] encrypt(String name, byte[] plain) throws IOException {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plain);
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return (PREFIX + Base64.getEncoder().encodeToString(out)).getBytes(StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot encrypt the storage entry " + name + ": " + e.getMessage(), e);
        }
    }

    private byte[] decrypt(String name, byte[] stored) throws IOException {
        try {
            byte[] data = Base64.getDecoder().decode(new String(stored, PREFIX.length(), stored.length - PREFIX.length(),
                    StandardCharsets.US_ASCII).strip());
            if (data.length <= NONCE_BYTES) {
                throw new GeneralSecurityException("too short");
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, data, 0, NONCE_BYTES));
            cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(data, NONCE_BYTES, data.length - NONCE_BYTES);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("the storage entry " + name + " cannot be decrypted with storage.encryptionKey: every "
                    + "gateway sharing the store needs the same key");
        }
    }

    @Override
    public Optional<byte[]> get(String name) throws IOException {
        return store.get(name);
    }

    @Override
    public void put(String name, byte[] value) throws IOException {
        store.put(name, value);
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        return store.list(prefix);
    }

    @Override
    public void put(String key, byte[] value, Duration ttl) throws IOException {
        store.put(key, value, ttl);
    }

    @Override
    public void delete(String name) throws IOException {
        store.delete(name);
    }

    @Override
    public Optional<Lock> tryLock(String name, Duration ttl) throws IOException {
        return store.tryLock(name, ttl);
    }

    @Override
    public Optional<Watch> watch(String prefix, WatchListener listener) throws IOException {
        return store.watch(prefix, listener);
    }

    @Override
    public void close() {
        store.close();
    }
}
