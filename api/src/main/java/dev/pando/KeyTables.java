package dev.pando;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.math.ec.rfc7748.X25519Field;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * A fast first try at verifying signatures of keys that sign often: for such a key it keeps a
 * table of multiples of its point, so that checking a signature costs additions from two tables
 * (the key's and the base point's) and no doublings beyond four.
 *
 * <p><b>Why.</b> Verification is what bounds sync and import here: BouncyCastle's verify spends
 * most of its time in 128 point doublings and in decoding R, neither of which a fixed key needs.
 * A log's operations are all signed by one author, so a sync of 2,000 operations per author
 * verifies each key 2,000 times. No library we may use offers verification against a
 * precomputed key.
 *
 * <p><b>What it decides.</b> {@link #tryVerify} answers {@code true} only when
 * {@code encode([S]B - [k]A)} equals the signature's R bytes exactly, where
 * {@code k = SHA-512(R || A || M) mod L}, S is canonical (S &lt; L) and A
 * is in the prime-order subgroup (checked when its table is built). Every such signature is one
 * that BouncyCastle's verify accepts as well: BouncyCastle checks
 * {@code [v1*S]B - [v0]A - [v1]R = 0} with {@code v0 = v1*k mod L}, which follows from
 * {@code R = [S]B - [k]A} when A has order L; and R, being the encoding of a point, is canonical
 * and decodes. {@code false} means "not decided here": the caller then asks BouncyCastle, so
 * {@link PublicKey#verify} accepts exactly what it accepted before; only a signature that a key
 * with a table fails pays for both checks. Variable time: this runs on public data only.
 *
 * <p><b>Tables.</b> A key gets a table on its {@value #BUILD_AFTER}th verification (building one
 * costs about five verifications, 0.44 ms here); at most {@value #MAX_TABLES} tables (30 KiB
 * each) are kept, the least recently used dropped first, and a key whose table was dropped counts
 * again from zero. Builds are paid from a budget: each verification adds one credit, a build takes
 * {@value #BUILD_CREDITS} (at most {@value #MAX_CREDITS} saved up). With more busy keys than tables
 * (a sync of thousands of authors, interleaved), keys would otherwise be rebuilt after every
 * eviction, and building would cost up to half again the verifications it was meant to save; with
 * the budget it costs at most about 8 %. Thread-safe.
 *
 * <p><b>Arithmetic.</b> Points in extended twisted Edwards coordinates (Hisil, Wong, Carter and
 * Dawson, 2008) over BouncyCastle's field arithmetic ({@link X25519Field}). A table holds
 * {@code m * 256^j * P} for j = 0..31 and m = 1..8 as affine {@code ((y-x)/2, (y+x)/2, x*y*d)};
 * a scalar in signed radix 16 (digits -8..8) is then the sum of its odd-position digits' entries,
 * times 16, plus its even-position ones.
 */
final class KeyTables {
    /** Verifications of a key before it gets a table. */
    static final int BUILD_AFTER = 8;
    /** Tables kept at most. */
    static final int MAX_TABLES = 128;
    /** Keys whose verifications are counted at most (the least recently seen forgotten first). */
    private static final int MAX_COUNTED = 4096;
    /** Verifications that pay for one table build (a build costs about five). */
    static final int BUILD_CREDITS = 64;
    /** Credit saved up at most: 16 builds at once. */
    static final int MAX_CREDITS = 16 * BUILD_CREDITS;

    private static final int POSITIONS = 32;
    private static final int MULTIPLES = 8;
    private static final int SZ = X25519Field.SIZE;
    /** Ints per table entry: (y-x)/2, (y+x)/2, x*y*d. */
    private static final int ENTRY = 3 * SZ;

    private static final BigInteger P = BigInteger.ONE.shiftLeft(255).subtract(BigInteger.valueOf(19));
    private static final BigInteger L = BigInteger.ONE.shiftLeft(252)
            .add(new BigInteger("27742317777372353535851937790883648493"));
    private static final BigInteger D_VALUE = BigInteger.valueOf(-121665)
            .multiply(BigInteger.valueOf(121666).modInverse(P)).mod(P);
    private static final int[] D = element(D_VALUE);
    private static final int[] D2 = element(D_VALUE.shiftLeft(1).mod(P));
    private static final int[] HALF = element(BigInteger.TWO.modInverse(P));
    /** The base point's encoding: y = 4/5, x even. */
    private static final byte[] BASE_ENCODED = ByteValue.parseHex("5866666666666666666666666666666666666666666666666666666666666666", "B");

    /** A key that may not use a table (A has a small-order component). */
    private static final int[] NO_TABLE = new int[0];

    private static final Object LOCK = new Object();
    /** Guarded by {@link #LOCK}. */
    private static final LinkedHashMap<PublicKey, int[]> TABLES = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<PublicKey, int[]> eldest) {
            return size() > MAX_TABLES;
        }
    };
    /** Guarded by {@link #LOCK}: one per verification asked about, {@link #BUILD_CREDITS} per build. */
    private static int credits = MAX_CREDITS;
    /** Guarded by {@link #LOCK}: tables built so far (tests). */
    private static long builds;
    /** Guarded by {@link #LOCK}. */
    private static final LinkedHashMap<PublicKey, Integer> COUNTS = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<PublicKey, Integer> eldest) {
            return size() > MAX_COUNTED;
        }
    };

    private KeyTables() {
    }

    /** The base point's table, built on first use. */
    private static final class Base {
        static final int[] TABLE = build(decode(BASE_ENCODED));
    }

    /**
     * Whether the signature is valid as far as this fast check can tell: {@code true} is final
     * (BouncyCastle accepts it too); {@code false} means the caller must verify another way.
     * The caller has checked that neither R nor A is of small order.
     */
    static boolean tryVerify(PublicKey key, byte[] sig, byte[] message, int offset, int length) {
        int[] table = tableFor(key);
        return table != null && matches(table, key.bytes, sig, message, offset, length);
    }

    /** The key's table, or null if it has none (yet, or ever). */
    private static int[] tableFor(PublicKey key) {
        synchronized (LOCK) {
            credits = Math.min(MAX_CREDITS, credits + 1);
            int[] table = TABLES.get(key);
            if (table != null) {
                return table == NO_TABLE ? null : table;
            }
            int seen = COUNTS.merge(key, 1, Integer::sum);
            if (seen < BUILD_AFTER || credits < BUILD_CREDITS) {
                return null; // not yet, or builds are using up their budget: counted on
            }
            credits -= BUILD_CREDITS;
            builds++;
            COUNTS.remove(key);
        }
        int[] table = tableOf(key.bytes);
        synchronized (LOCK) {
            TABLES.put(key, table == null ? NO_TABLE : table);
        }
        return table;
    }

    /** A new table for the key's point; null if the key is not a point of order L. */
    static int[] tableOf(byte[] publicKey) {
        if (!Ed25519.validatePublicKeyFull(publicKey, 0)) {
            return null;
        }
        int[][] a = decode(publicKey);
        return a == null ? null : build(a);
    }

    /** Number of keys with a table (tests). */
    static int tables() {
        synchronized (LOCK) {
            return (int) TABLES.values().stream().filter(t -> t != NO_TABLE).count();
        }
    }

    /** Tables built so far (tests). */
    static long builds() {
        synchronized (LOCK) {
            return builds;
        }
    }

    /** Forgets every table and count, and restores the build budget (tests). */
    static void clear() {
        synchronized (LOCK) {
            TABLES.clear();
            COUNTS.clear();
            credits = MAX_CREDITS;
            builds = 0;
        }
    }

    /**
     * Whether {@code encode([S]B - [k]A) == R} for this signature, with A's table: the check
     * {@link #tryVerify} makes once a key has a table.
     */
    static boolean matches(int[] keyTable, byte[] publicKey, byte[] sig, byte[] message, int offset, int length) {
        if (!PublicKey.isCanonicalScalar(sig, 32)) {
            return false; // [S]B = [S mod L]B: a non-canonical S would match (and break the digits)
        }
        SHA512Digest sha = new SHA512Digest();
        byte[] digest = new byte[64];
        sha.update(sig, 0, 32);
        sha.update(publicKey, 0, 32);
        sha.update(message, offset, length);
        sha.doFinal(digest, 0);
        byte[] s = new byte[32];
        System.arraycopy(sig, 32, s, 0, 32);
        byte[] point = new byte[32];
        encode(combine(s, reduce(digest), keyTable), point);
        for (int i = 0; i < 32; i++) {
            if (point[i] != sig[i]) {
                return false;
            }
        }
        return true;
    }

    /** {@code [s]B - [k]A} for little-endian scalars below 2^255, A given by its table. */
    static Acc combine(byte[] s, byte[] k, int[] keyTable) {
        return sum(Base.TABLE, digits(s), keyTable, digits(k), -1);
    }

    /** {@code [k]P} from P's table (tests). */
    static Acc multiply(byte[] k, int[] table) {
        return sum(table, digits(k), null, null, 0);
    }

    /**
     * {@code [a]P + sign * [b]Q} from the tables of P and Q and the signed radix-16 digits of a
     * and b (Q's table null: {@code [a]P} alone): the odd positions' entries, times 16, plus the
     * even positions' ones.
     */
    private static Acc sum(int[] p, byte[] a, int[] q, byte[] b, int sign) {
        Acc acc = new Acc();
        Entry entry = new Entry();
        for (int pass = 1; pass >= 0; pass--) {
            for (int j = 0; j < POSITIONS; j++) {
                int i = 2 * j + pass;
                add(p, j, a[i], entry, acc);
                if (q != null) {
                    add(q, j, sign * b[i], entry, acc);
                }
            }
            if (pass == 1) {
                for (int d = 0; d < 4; d++) {
                    acc.twice();
                }
            }
        }
        return acc;
    }

    /** The base point's table (tests). */
    static int[] baseTable() {
        return Base.TABLE;
    }

    /** Adds {@code digit * 256^position * P} from P's table to {@code acc}; digit in -8..8. */
    private static void add(int[] table, int position, int digit, Entry entry, Acc acc) {
        if (digit == 0) {
            return;
        }
        int off = (position * MULTIPLES + Math.abs(digit) - 1) * ENTRY;
        X25519Field.copy(table, off, entry.ymxHalf, 0);
        X25519Field.copy(table, off + SZ, entry.ypxHalf, 0);
        X25519Field.copy(table, off + 2 * SZ, entry.xyd, 0);
        acc.add(entry, digit < 0);
    }

    /**
     * Signed radix-16 digits of a little-endian scalar below 2^255: 64 digits, each in -8..7
     * except the last (0..8), with {@code k = sum d[i] * 16^i}.
     */
    static byte[] digits(byte[] k) {
        byte[] d = new byte[64];
        for (int i = 0; i < 32; i++) {
            d[2 * i] = (byte) (k[i] & 15);
            d[2 * i + 1] = (byte) ((k[i] >>> 4) & 15);
        }
        int carry = 0;
        for (int i = 0; i < 63; i++) {
            int v = d[i] + carry;
            carry = (v + 8) >> 4;
            d[i] = (byte) (v - (carry << 4));
        }
        d[63] += (byte) carry;
        return d;
    }

    /** A 64-byte little-endian number mod L, as 32 little-endian bytes. */
    static byte[] reduce(byte[] wide) {
        byte[] be = new byte[wide.length];
        for (int i = 0; i < wide.length; i++) {
            be[i] = wide[wide.length - 1 - i];
        }
        return littleEndian(new BigInteger(1, be).mod(L));
    }

    /** The point's 32-byte encoding: y, with x's low bit as the top bit. */
    static void encode(Acc p, byte[] out) {
        int[] zi = X25519Field.create();
        int[] x = X25519Field.create();
        int[] y = X25519Field.create();
        X25519Field.invVar(p.z, zi);
        X25519Field.mul(p.x, zi, x);
        X25519Field.mul(p.y, zi, y);
        X25519Field.normalize(x);
        X25519Field.normalize(y);
        X25519Field.encode(y, out, 0);
        out[31] |= (byte) ((x[0] & 1) << 7);
    }

    /** Affine {x, y} of an encoded point, or null if the bytes are not a point. */
    static int[][] decode(byte[] encoded) {
        int[] x = X25519Field.create();
        int[] y = X25519Field.create();
        X25519Field.decode255(encoded, 0, y, 0);
        int[] u = X25519Field.create();
        int[] v = X25519Field.create();
        X25519Field.sqr(y, u);
        X25519Field.mul(D, u, v);
        X25519Field.subOne(u);
        X25519Field.addOne(v);
        if (!X25519Field.sqrtRatioVar(u, v, x)) {
            return null;
        }
        X25519Field.normalize(x);
        int sign = (encoded[31] & 0xFF) >>> 7;
        if (sign == 1 && X25519Field.isZeroVar(x)) {
            return null;
        }
        if ((x[0] & 1) != sign) {
            X25519Field.negate(x, x);
            X25519Field.normalize(x);
        }
        X25519Field.normalize(y);
        return new int[][] {x, y};
    }

    /** The table of {@code m * 256^j * P}, j = 0..31, m = 1..8, as affine halved entries. */
    static int[] build(int[][] affine) {
        Ext[] points = new Ext[POSITIONS * MULTIPLES];
        Acc position = new Acc();
        position.setAffine(affine[0], affine[1]);
        for (int j = 0; j < POSITIONS; j++) {
            if (j > 0) {
                for (int d = 0; d < 8; d++) {
                    position.twice();
                }
            }
            Ext first = position.toExt();
            points[j * MULTIPLES] = first;
            for (int m = 1; m < MULTIPLES; m++) {
                points[j * MULTIPLES + m] = points[j * MULTIPLES + m - 1].plus(first);
            }
        }
        // one inversion for all: the running products of z, inverted once, unwound
        int n = points.length;
        int[][] prefix = new int[n][];
        int[] run = X25519Field.create();
        X25519Field.one(run);
        for (int i = 0; i < n; i++) {
            prefix[i] = X25519Field.create();
            X25519Field.copy(run, 0, prefix[i], 0);
            X25519Field.mul(run, points[i].z, run);
        }
        int[] inv = X25519Field.create();
        X25519Field.invVar(run, inv);
        int[] table = new int[n * ENTRY];
        int[] zi = X25519Field.create();
        int[] x = X25519Field.create();
        int[] y = X25519Field.create();
        int[] t = X25519Field.create();
        for (int i = n - 1; i >= 0; i--) {
            X25519Field.mul(inv, prefix[i], zi);
            X25519Field.mul(inv, points[i].z, inv);
            X25519Field.mul(points[i].x, zi, x);
            X25519Field.mul(points[i].y, zi, y);
            X25519Field.normalize(x);
            X25519Field.normalize(y);
            int off = i * ENTRY;
            X25519Field.sub(y, x, t);
            X25519Field.mul(t, HALF, t);
            X25519Field.normalize(t);
            X25519Field.copy(t, 0, table, off);
            X25519Field.add(y, x, t);
            X25519Field.mul(t, HALF, t);
            X25519Field.normalize(t);
            X25519Field.copy(t, 0, table, off + SZ);
            X25519Field.mul(x, y, t);
            X25519Field.mul(t, D, t);
            X25519Field.normalize(t);
            X25519Field.copy(t, 0, table, off + 2 * SZ);
        }
        return table;
    }

    /** A table entry being added: an affine point as {@code ((y-x)/2, (y+x)/2, x*y*d)}. */
    private static final class Entry {
        final int[] ymxHalf = X25519Field.create();
        final int[] ypxHalf = X25519Field.create();
        final int[] xyd = X25519Field.create();
    }

    /** A point in extended coordinates (X : Y : Z : T), x = X/Z, y = Y/Z, x*y = T/Z. */
    static final class Ext {
        final int[] x = X25519Field.create();
        final int[] y = X25519Field.create();
        final int[] z = X25519Field.create();
        final int[] t = X25519Field.create();

        /** this + q, a new point ("add-2008-hwcd-3", a = -1). */
        Ext plus(Ext q) {
            Ext r = new Ext();
            int[] c = X25519Field.create();
            int[] d = X25519Field.create();
            X25519Field.apm(y, x, r.y, r.x);          // r.y = Y1+X1, r.x = Y1-X1
            X25519Field.apm(q.y, q.x, d, c);          // d = Y2+X2,   c = Y2-X2
            X25519Field.mul(r.x, c, r.x);             // A
            X25519Field.mul(r.y, d, r.y);             // B
            X25519Field.mul(t, q.t, c);
            X25519Field.mul(c, D2, c);                // C = 2d*T1*T2
            X25519Field.add(z, z, d);
            X25519Field.mul(d, q.z, d);               // D = 2*Z1*Z2
            int[] e = X25519Field.create();
            int[] h = X25519Field.create();
            X25519Field.apm(r.y, r.x, h, e);          // H = B+A, E = B-A
            int[] g = X25519Field.create();
            int[] f = X25519Field.create();
            X25519Field.apm(d, c, g, f);              // G = D+C, F = D-C
            X25519Field.mul(e, f, r.x);
            X25519Field.mul(g, h, r.y);
            X25519Field.mul(f, g, r.z);
            X25519Field.mul(e, h, r.t);
            return r;
        }
    }

    /**
     * A point being accumulated, in extended coordinates with T kept as the product
     * {@code u * v} (it is needed only by the next addition, never by a doubling).
     */
    static final class Acc {
        final int[] x = X25519Field.create();
        final int[] y = X25519Field.create();
        final int[] z = X25519Field.create();
        final int[] u = X25519Field.create();
        final int[] v = X25519Field.create();
        private final int[] c = X25519Field.create();

        Acc() {
            X25519Field.one(y);
            X25519Field.one(z);
            X25519Field.one(v);
        }

        void setAffine(int[] ax, int[] ay) {
            X25519Field.copy(ax, 0, x, 0);
            X25519Field.copy(ay, 0, y, 0);
            X25519Field.one(z);
            X25519Field.copy(ax, 0, u, 0);
            X25519Field.copy(ay, 0, v, 0);
        }

        Ext toExt() {
            Ext r = new Ext();
            X25519Field.copy(x, 0, r.x, 0);
            X25519Field.copy(y, 0, r.y, 0);
            X25519Field.copy(z, 0, r.z, 0);
            X25519Field.mul(u, v, r.t);
            return r;
        }

        /**
         * this += q (or -= q): mixed addition with an affine halved entry. With halves the usual
         * A, B, C, D are all halved, which scales the result's coordinates alike.
         */
        void add(Entry q, boolean subtract) {
            int[] a = x;
            int[] b = y;
            X25519Field.apm(y, x, b, a);              // b = Y+X, a = Y-X
            if (subtract) {                           // -q = (-x, y): its (y-x) and (y+x) swap
                X25519Field.mul(a, q.ypxHalf, a);
                X25519Field.mul(b, q.ymxHalf, b);
            } else {
                X25519Field.mul(a, q.ymxHalf, a);     // A/2
                X25519Field.mul(b, q.ypxHalf, b);     // B/2
            }
            X25519Field.mul(u, v, c);
            X25519Field.mul(c, q.xyd, c);             // C/2 (negated for -q below)
            X25519Field.apm(b, a, v, u);              // H/2 = B/2+A/2 -> v, E/2 = B/2-A/2 -> u
            int[] f = a;
            int[] g = b;
            if (subtract) {
                X25519Field.apm(z, c, f, g);          // F/2 = Z+C/2, G/2 = Z-C/2
            } else {
                X25519Field.apm(z, c, g, f);          // G/2 = Z+C/2, F/2 = Z-C/2
            }
            X25519Field.mul(f, g, z);
            X25519Field.mul(f, u, x);
            X25519Field.mul(g, v, y);
        }

        /** this = 2 * this ("dbl-2008-hwcd", a = -1, with E, F, G, H all negated). */
        void twice() {
            int[] e = u;
            int[] h = v;
            X25519Field.add(x, y, e);
            X25519Field.sqr(x, x);                    // X^2
            X25519Field.sqr(y, y);                    // Y^2
            X25519Field.sqr(z, c);
            X25519Field.add(c, c, c);                 // 2Z^2
            int[] g = y;
            X25519Field.apm(x, y, h, g);              // h = X^2+Y^2, g = X^2-Y^2
            X25519Field.sqr(e, e);
            X25519Field.sub(h, e, e);                 // X^2+Y^2-(X+Y)^2
            int[] f = x;
            X25519Field.add(c, g, f);                 // 2Z^2+X^2-Y^2
            X25519Field.carry(f);
            X25519Field.mul(f, g, z);
            X25519Field.mul(f, e, x);
            X25519Field.mul(g, h, y);
        }
    }

    private static int[] element(BigInteger value) {
        int[] z = X25519Field.create();
        X25519Field.decode255(littleEndian(value), 0, z, 0);
        return z;
    }

    /** A number below 2^256 as 32 little-endian bytes. */
    static byte[] littleEndian(BigInteger value) {
        byte[] be = value.toByteArray();
        byte[] le = new byte[32];
        for (int i = 0; i < 32 && i < be.length; i++) {
            le[i] = be[be.length - 1 - i];
        }
        return le;
    }
}
