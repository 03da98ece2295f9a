package dev.pando;

import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 public key, 32 bytes; also the identity of a node and of an author. Ordered by its
 * bytes, printed as lowercase hex.
 */
public final class PublicKey extends ByteValue implements Comparable<PublicKey> {
    public static final int LENGTH = 32;

    // L, the order of the prime subgroup, little-endian
    private static final byte[] GROUP_ORDER = parseHex(
            "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010", "L");

    /*
     * Encodings (sign bit of the last byte masked) whose y coordinate, reduced mod p, belongs to
     * one of the eight points of small order: y = 0, 1, p-1, the two order-8 y values, and the
     * non-canonical aliases p (= 0) and p+1 (= 1). No other y >= p can alias them, as the only
     * non-canonical encodings are p..p+18.
     */
    private static final byte[][] SMALL_ORDER_Y = {
        parseHex("0000000000000000000000000000000000000000000000000000000000000000", "y"),
        parseHex("0100000000000000000000000000000000000000000000000000000000000000", "y"),
        parseHex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "y"),
        parseHex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", "y"),
        parseHex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", "y"),
        parseHex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "y"),
        parseHex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "y"),
    };

    /**
     * Decoded points of the keys that verified lately, shared by every instance with the same
     * bytes: a log's operations each decode their own {@code PublicKey}, and decoding the point
     * (a square root in the field) is a tenth to a fifth of a verification. Bounded: emptied when
     * full.
     */
    private static final int POINT_CACHE = 4096;
    private static final ConcurrentHashMap<PublicKey, Ed25519.PublicPoint> POINTS = new ConcurrentHashMap<>();

    /** This key's point once decoded (racy but idempotent: every thread computes the same). */
    private Ed25519.PublicPoint point;

    private PublicKey(byte[] bytes) {
        super(bytes, LENGTH, "a public key");
    }

    public static PublicKey fromBytes(byte[] bytes) {
        return new PublicKey(bytes.clone());
    }

    public static PublicKey fromHex(String hex) {
        return new PublicKey(parseHex(hex, "public key"));
    }

    static PublicKey wrap(byte[] bytes) {
        return new PublicKey(bytes);
    }

    /**
     * Verifies strictly, as ed25519-dalek's {@code verify_strict}: rejects a non-canonical S
     * (S >= L), a signature whose R is a point of small order, and a public key of small order;
     * then checks the cofactorless equation. A key that has verified often is checked against a
     * table of its multiples first (faster; see {@code KeyTables}), with the same answers.
     */
    public boolean verify(byte[] message, Signature signature) {
        return verify(message, 0, message.length, signature.bytes);
    }

    boolean verify(byte[] message, int offset, int length, byte[] sig) {
        if (isSmallOrder(bytes, 0) || isSmallOrder(sig, 0) || !isCanonicalScalar(sig, 32)) {
            return false;
        }
        if (KeyTables.tryVerify(this, sig, message, offset, length)) {
            return true; // BouncyCastle accepts it too (see KeyTables); its answer is needed only to reject
        }
        Ed25519.PublicPoint a = point();
        return a != null && Ed25519.verify(sig, 0, a, message, offset, length);
    }

    /** The decoded point, as BouncyCastle's byte-key verify decodes it; null if not on the curve. */
    private Ed25519.PublicPoint point() {
        Ed25519.PublicPoint a = point;
        if (a == null) {
            a = POINTS.get(this);
            if (a == null) {
                a = Ed25519.validatePublicKeyPartialExport(bytes, 0);
                if (a == null) {
                    return null;
                }
                if (POINTS.size() >= POINT_CACHE) {
                    POINTS.clear();
                }
                POINTS.put(this, a);
            }
            point = a;
        }
        return a;
    }

    /** Whether this key is one of the eight points of small order ("weak" keys). */
    public boolean isWeak() {
        return isSmallOrder(bytes, 0);
    }

    static boolean isSmallOrder(byte[] encoded, int offset) {
        outer:
        for (byte[] y : SMALL_ORDER_Y) {
            for (int i = 0; i < 31; i++) {
                if (encoded[offset + i] != y[i]) {
                    continue outer;
                }
            }
            if ((encoded[offset + 31] & 0x7F) == y[31]) {
                return true;
            }
        }
        return false;
    }

    /** Whether the 32-byte little-endian scalar at {@code offset} is below L. */
    static boolean isCanonicalScalar(byte[] s, int offset) {
        for (int i = 31; i >= 0; i--) {
            int a = s[offset + i] & 0xFF;
            int l = GROUP_ORDER[i] & 0xFF;
            if (a != l) {
                return a < l;
            }
        }
        return false; // S == L
    }

    @Override
    public int compareTo(PublicKey other) {
        return compareBytes(other);
    }
}
