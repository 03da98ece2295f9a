package dev.pando.examples;

import dev.pando.CborValue;
import dev.pando.CborWriter;
import dev.pando.Hash;
import dev.pando.PrivateKey;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Crafts header bytes field by field, valid or not, with CborWriter and PrivateKey.sign: the
 * command line must report the precise error kind for each broken rule.
 */
final class HeaderBytes {
    private long version = 1;
    private final byte[] publicKey;
    private boolean signed = true;
    private PrivateKey signer;
    private long payloadSize;
    private Hash payloadHash;
    private long timestamp;
    private long seqNum;
    private Hash backlink;
    private final List<Hash> previous = new ArrayList<>();
    private CborValue extensions;

    HeaderBytes(PrivateKey key) {
        this.publicKey = key.publicKey().bytes();
        this.signer = key;
    }

    HeaderBytes version(long v) {
        version = v;
        return this;
    }

    HeaderBytes unsigned() {
        signed = false;
        return this;
    }

    /** Signs with another key than the author's (the signature will not verify). */
    HeaderBytes signedBy(PrivateKey other) {
        signer = other;
        return this;
    }

    HeaderBytes payload(long size, Hash hash) {
        payloadSize = size;
        payloadHash = hash;
        return this;
    }

    HeaderBytes timestamp(long t) {
        timestamp = t;
        return this;
    }

    HeaderBytes seq(long s) {
        seqNum = s;
        return this;
    }

    HeaderBytes backlink(Hash h) {
        backlink = h;
        return this;
    }

    HeaderBytes previous(Hash h) {
        previous.add(h);
        return this;
    }

    HeaderBytes extensions(CborValue e) {
        extensions = e;
        return this;
    }

    byte[] bytes() {
        byte[] unsignedBytes = encode(null);
        if (!signed) {
            return unsignedBytes;
        }
        return encode(signer.sign(unsignedBytes).bytes());
    }

    String hex() {
        return HexFormat.of().formatHex(bytes());
    }

    private byte[] encode(byte[] signature) {
        int n = 6 + (signature != null ? 1 : 0) + (payloadHash != null ? 1 : 0) + (backlink != null ? 1 : 0)
                + (extensions != null ? 1 : 0);
        CborWriter w = new CborWriter();
        w.writeArrayHeader(n).writeUnsigned(version).writeBytes(publicKey);
        if (signature != null) {
            w.writeBytes(signature);
        }
        w.writeUnsigned(payloadSize);
        if (payloadHash != null) {
            w.writeBytes(payloadHash.bytes());
        }
        w.writeUnsigned(timestamp).writeUnsigned(seqNum);
        if (backlink != null) {
            w.writeBytes(backlink.bytes());
        }
        w.writeArrayHeader(previous.size());
        for (Hash h : previous) {
            w.writeBytes(h.bytes());
        }
        if (extensions != null) {
            w.write(extensions);
        }
        return w.toByteArray();
    }
}
