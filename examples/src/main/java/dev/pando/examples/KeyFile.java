package dev.pando.examples;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.pando.PrivateKey;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a node's key from a file holding what {@code pando key generate} printed:
 * {@code {"private_key": hex, "public_key": hex}}. {@code public_key} may be left out; if present it
 * must belong to the private key. Messages never quote the file's content, nor a file name that
 * looks like a key (a key given where its file was wanted).
 */
final class KeyFile {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();
    /** Far more than the ~150 bytes of a key file; keeps a wrong file from being read whole. */
    static final int MAX_SIZE = 16 * 1024;

    private KeyFile() {
    }

    /**
     * @throws InvalidInputException if the file is missing, unreadable, too large, not such a JSON
     *     object, or its keys do not match
     */
    static PrivateKey read(Path file) {
        if (OptionValues.looksLikeKey(file.toString())) {
            // the easy mistake: a key where its file was wanted; never echo it
            throw new InvalidInputException("--key-file takes a file holding the output of pando key generate, "
                    + "and the value given looks like a key itself (it is not shown)");
        }
        byte[] content;
        try {
            if (Files.isDirectory(file)) {
                throw new InvalidInputException("key file " + file + " is a directory");
            }
            if (Files.size(file) > MAX_SIZE) {
                throw new InvalidInputException("key file " + file + " is larger than " + MAX_SIZE + " bytes");
            }
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("no key file at " + file, e);
        } catch (AccessDeniedException e) {
            throw new InvalidInputException("cannot read key file " + file + ": permission denied", e);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read key file " + file + ": " + e.getMessage(), e);
        }
        String privateHex = null;
        String publicHex = null;
        try (JsonParser p = FACTORY.createParser(content)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw notAKeyFile(file);
            }
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("private_key") || name.equals("public_key")) {
                    if (value != JsonToken.VALUE_STRING) {
                        throw new InvalidInputException("key file " + file + ": " + name + " must be a string");
                    }
                    if (name.equals("private_key")) {
                        privateHex = p.getText();
                    } else {
                        publicHex = p.getText();
                    }
                } else {
                    p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw notAKeyFile(file);
            }
        } catch (IOException e) {
            // jackson's messages quote the input: keep the key out of ours
            throw notAKeyFile(file);
        }
        if (privateHex == null) {
            throw new InvalidInputException("key file " + file + " has no private_key");
        }
        PrivateKey key = OptionValues.privateKey("the private_key of key file " + file, privateHex);
        if (publicHex != null && !publicHex.equalsIgnoreCase(key.publicKey().hex())) {
            throw new InvalidInputException("key file " + file + ": public_key does not belong to private_key");
        }
        return key;
    }

    private static InvalidInputException notAKeyFile(Path file) {
        return new InvalidInputException("key file " + file
                + " is not a JSON object {\"private_key\": hex, \"public_key\": hex} as printed by pando key generate");
    }
}
