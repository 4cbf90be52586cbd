package dev.parley.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.quarkus.runtime.LaunchMode;

/**
 * Supplies a token-signing key pair in dev and test mode only, so that {@code ./mvnw quarkus:dev}
 * and the tests run without a configured secret. In production this source is empty and Parley
 * refuses to start until {@code parley.auth.signing-key} and {@code parley.auth.public-key} are set.
 *
 * <p>The pair is kept in {@code target/parley-dev-keys} so that live reloads, repeated test
 * applications and several local instances started from the same project share it (a token minted
 * by one instance must verify on another).
 */
public class DevKeyPairConfigSource implements ConfigSource {

    private static final String SIGNING_KEY = "parley.auth.signing-key";
    private static final String PUBLIC_KEY = "parley.auth.public-key";
    private static final Path DIR = Path.of("target", "parley-dev-keys");

    private volatile Map<String, String> keys;

    @Override
    public Set<String> getPropertyNames() {
        return keys().keySet();
    }

    @Override
    public String getValue(String propertyName) {
        if (!SIGNING_KEY.equals(propertyName) && !PUBLIC_KEY.equals(propertyName)) {
            return null;
        }
        return keys().get(propertyName);
    }

    @Override
    public String getName() {
        return "parley-dev-key-pair";
    }

    @Override
    public int getOrdinal() {
        // Below application.properties (250) and the environment (300): configured keys always win.
        return 50;
    }

    private Map<String, String> keys() {
        Map<String, String> current = keys;
        if (current == null) {
            LaunchMode mode = LaunchMode.current();
            current = (mode == LaunchMode.DEVELOPMENT || mode == LaunchMode.TEST) ? loadOrCreate() : Map.of();
            keys = current;
        }
        return current;
    }

    private static synchronized Map<String, String> loadOrCreate() {
        // One file holds both keys and is written atomically, so concurrent first starts never mix pairs.
        Path file = DIR.resolve("key-pair.pem");
        try {
            if (!Files.exists(file)) {
                KeyPair pair = KeyPairGenerator.getInstance("RSA").generateKeyPair();
                Files.createDirectories(DIR);
                writeAtomically(file, pem("PRIVATE KEY", pair.getPrivate().getEncoded())
                        + pem("PUBLIC KEY", pair.getPublic().getEncoded()));
            }
            String both = Files.readString(file);
            int split = both.indexOf("-----BEGIN PUBLIC KEY-----");
            return Map.of(SIGNING_KEY, both.substring(0, split), PUBLIC_KEY, both.substring(split));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot keep the dev signing key pair in " + DIR.toAbsolutePath(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    private static void writeAtomically(Path target, String content) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        try {
            Files.writeString(tmp, content);
            // A hard link appears whole or not at all, and never replaces: if a concurrent first start
            // won the race, everyone reads the pair that stands.
            Files.createLink(target, tmp);
        } catch (FileAlreadyExistsException e) {
            // the other start's pair is used
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
