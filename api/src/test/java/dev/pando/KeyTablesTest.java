package dev.pando;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.Random;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link KeyTables}: its point arithmetic checked against BouncyCastle's key derivation, its fast
 * check against BouncyCastle's verify, and {@link PublicKey#verify} with tables against the same
 * verify without them, for valid, tampered and crafted (torsion) signatures.
 */
class KeyTablesTest {
    private static final BigInteger L = BigInteger.ONE.shiftLeft(252)
            .add(new BigInteger("27742317777372353535851937790883648493"));
    /** A point of order 8 (one of the small-order encodings). */
    private static final String ORDER_8 = "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a";

    // the tables are shared by the whole JVM: start and end each test without any
    @BeforeEach
    @AfterEach
    void forget() {
        KeyTables.clear();
    }

    @Test
    void theBaseTableMultipliesAsBouncyCastleDerivesKeys() throws Exception {
        assertThat(hex(encoded(KeyTables.multiply(scalar(BigInteger.ONE), KeyTables.baseTable()))))
                .isEqualTo("5866666666666666666666666666666666666666666666666666666666666666");
        // [L]B is the neutral element (0, 1)
        assertThat(hex(encoded(KeyTables.multiply(scalar(L), KeyTables.baseTable()))))
                .isEqualTo("0100000000000000000000000000000000000000000000000000000000000000");
        Trials.run(300, random -> {
            byte[] seed = new byte[32];
            random.nextBytes(seed);
            byte[] a = clampedScalar(seed);
            assertThat(encoded(KeyTables.multiply(a, KeyTables.baseTable())))
                    .isEqualTo(PrivateKey.fromBytes(seed).publicKey().bytes());
        });
    }

    @Test
    void aKeysTableMultipliesAsTheBaseTableDoes() {
        Trials.run(100, random -> {
            byte[] seed = new byte[32];
            random.nextBytes(seed);
            BigInteger a = littleEndian(clampedScalar(seed));
            int[] table = KeyTables.tableOf(PrivateKey.fromBytes(seed).publicKey().bytes());
            assertThat(table).isNotNull();
            BigInteger k = new BigInteger(253, random).mod(L);
            // [k]A = [k*a mod L]B
            assertThat(encoded(KeyTables.multiply(scalar(k), table)))
                    .isEqualTo(encoded(KeyTables.multiply(scalar(k.multiply(a).mod(L)), KeyTables.baseTable())));
        });
    }

    @Test
    void everyValidSignatureMatchesAndNoTamperedOneDoes() {
        Trials.run(500, random -> {
            byte[] seed = new byte[32];
            random.nextBytes(seed);
            PrivateKey author = PrivateKey.fromBytes(seed);
            byte[] pk = author.publicKey().bytes();
            int[] table = KeyTables.tableOf(pk);
            byte[] message = new byte[random.nextInt(400)];
            random.nextBytes(message);
            byte[] sig = author.sign(message).bytes();
            assertThat(KeyTables.matches(table, pk, sig, message, 0, message.length)).isTrue();

            byte[] tampered = sig.clone();
            tampered[random.nextInt(64)] ^= (byte) (1 << random.nextInt(8));
            assertThat(KeyTables.matches(table, pk, tampered, message, 0, message.length)).isFalse();
            // S + L: the same point, but not canonical
            byte[] highS = sig.clone();
            byte[] s = new byte[32];
            System.arraycopy(sig, 32, s, 0, 32);
            System.arraycopy(scalar(littleEndian(s).add(L)), 0, highS, 32, 32);
            assertThat(KeyTables.matches(table, pk, highS, message, 0, message.length)).isFalse();
            if (message.length > 0) {
                byte[] other = message.clone();
                other[random.nextInt(other.length)] ^= 1;
                assertThat(KeyTables.matches(table, pk, sig, other, 0, other.length)).isFalse();
            }
            byte[] strangerSeed = new byte[32];
            random.nextBytes(strangerSeed);
            byte[] stranger = PrivateKey.fromBytes(strangerSeed).publicKey().bytes();
            assertThat(KeyTables.matches(KeyTables.tableOf(stranger), stranger, sig, message, 0, message.length)).isFalse();
        });
    }

    @Test
    void withTablesVerifyAnswersExactlyAsBouncyCastle() {
        Trials.run(40, random -> {
            KeyTables.clear();
            byte[] seed = new byte[32];
            random.nextBytes(seed);
            PrivateKey author = PrivateKey.fromBytes(seed);
            PublicKey key = author.publicKey();
            for (int i = 0; i < KeyTables.BUILD_AFTER + 12; i++) {
                byte[] message = new byte[random.nextInt(200)];
                random.nextBytes(message);
                byte[] sig = author.sign(message).bytes();
                PublicKey decoded = PublicKey.fromBytes(key.bytes()); // as each operation decodes its own
                assertThat(decoded.verify(message, 0, message.length, sig)).isTrue();

                byte[] tampered = sig.clone();
                tampered[random.nextInt(64)] ^= (byte) (1 << random.nextInt(8));
                assertThat(decoded.verify(message, 0, message.length, tampered))
                        .isEqualTo(byBouncyCastle(key, message, tampered));

                // R plus a point of order 8: not R, so the table's check fails; BouncyCastle decides
                byte[] crafted = sig.clone();
                System.arraycopy(plusOrder8(sig), 0, crafted, 0, 32);
                assertThat(KeyTables.matches(KeyTables.tableOf(key.bytes()), key.bytes(), crafted, message, 0, message.length))
                        .isFalse();
                assertThat(decoded.verify(message, 0, message.length, crafted))
                        .isEqualTo(byBouncyCastle(key, message, crafted));
            }
            assertThat(KeyTables.tables()).as("the key got a table after %d verifications", KeyTables.BUILD_AFTER).isEqualTo(1);
        });
    }

    @Test
    void aKeyWithASmallOrderComponentGetsNoTable() {
        Trials.run(50, random -> {
            byte[] seed = new byte[32];
            random.nextBytes(seed);
            byte[] pk = PrivateKey.fromBytes(seed).publicKey().bytes();
            byte[] mixed = plusOrder8(pk);
            assertThat(Ed25519.validatePublicKeyPartial(mixed, 0)).isTrue();
            assertThat(KeyTables.tableOf(mixed)).isNull();
            PublicKey key = PublicKey.fromBytes(mixed);
            byte[] sig = PrivateKey.fromBytes(seed).sign(new byte[] {7}).bytes();
            for (int i = 0; i < KeyTables.BUILD_AFTER + 2; i++) {
                assertThat(key.verify(new byte[] {7}, 0, 1, sig)).isEqualTo(byBouncyCastle(key, new byte[] {7}, sig));
            }
            assertThat(KeyTables.tables()).isZero();
        });
    }

    @Test
    void atMostMaxTablesAreKept() {
        Random random = new Random(1);
        byte[] message = {1, 2, 3};
        for (int k = 0; k < KeyTables.MAX_TABLES + 5; k++) {
            byte[] seed = new byte[32];
            random.nextBytes(seed);
            PrivateKey author = PrivateKey.fromBytes(seed);
            byte[] sig = author.sign(message).bytes();
            // enough verifications of each key to pay for its table
            for (int i = 0; i < KeyTables.BUILD_CREDITS; i++) {
                assertThat(author.publicKey().verify(message, 0, 3, sig)).isTrue();
            }
        }
        assertThat(KeyTables.builds()).isEqualTo(KeyTables.MAX_TABLES + 5);
        assertThat(KeyTables.tables()).isEqualTo(KeyTables.MAX_TABLES);
    }

    @Test
    void withManyBusyKeysBuildingStaysWithinItsBudget() {
        // 600 keys in turn, more than the tables kept: without the budget every key would get a
        // table on its 8th turn, and again after each eviction
        Random random = new Random(2);
        byte[] message = {9};
        int keys = 600;
        PrivateKey[] authors = new PrivateKey[keys];
        byte[][] sigs = new byte[keys][];
        for (int k = 0; k < keys; k++) {
            byte[] seed = new byte[32];
            random.nextBytes(seed);
            authors[k] = PrivateKey.fromBytes(seed);
            sigs[k] = authors[k].sign(message).bytes();
        }
        int verifications = 0;
        for (int round = 0; round < 10; round++) {
            for (int k = 0; k < keys; k++) {
                assertThat(authors[k].publicKey().verify(message, 0, 1, sigs[k])).isTrue();
                verifications++;
            }
        }
        assertThat(KeyTables.builds()).isPositive()
                .isLessThanOrEqualTo(KeyTables.MAX_CREDITS / KeyTables.BUILD_CREDITS + verifications / KeyTables.BUILD_CREDITS);
    }

    @Test
    void signedRadix16DigitsSumToTheScalar() {
        Trials.run(500, random -> {
            BigInteger k = new BigInteger(255, random);
            byte[] d = KeyTables.digits(scalar(k));
            BigInteger sum = BigInteger.ZERO;
            for (int i = 63; i >= 0; i--) {
                sum = sum.shiftLeft(4).add(BigInteger.valueOf(d[i]));
                assertThat((int) d[i]).isBetween(-8, 8);
            }
            assertThat(sum).isEqualTo(k);
        });
    }

    private static boolean byBouncyCastle(PublicKey key, byte[] message, byte[] sig) {
        byte[] pk = key.bytes();
        if (PublicKey.isSmallOrder(pk, 0) || PublicKey.isSmallOrder(sig, 0) || !PublicKey.isCanonicalScalar(sig, 32)) {
            return false;
        }
        return Ed25519.verify(sig, 0, pk, 0, message, 0, message.length);
    }

    /** The encoding of (the point encoded in the first 32 bytes) + (a point of order 8). */
    private static byte[] plusOrder8(byte[] encoded) {
        byte[] first = new byte[32];
        System.arraycopy(encoded, 0, first, 0, 32);
        int[][] p = KeyTables.decode(first);
        int[][] t = KeyTables.decode(ByteValue.parseHex(ORDER_8, "T"));
        KeyTables.Acc a = new KeyTables.Acc();
        a.setAffine(p[0], p[1]);
        KeyTables.Acc b = new KeyTables.Acc();
        b.setAffine(t[0], t[1]);
        KeyTables.Ext sum = a.toExt().plus(b.toExt());
        KeyTables.Acc s = new KeyTables.Acc();
        org.bouncycastle.math.ec.rfc7748.X25519Field.copy(sum.x, 0, s.x, 0);
        org.bouncycastle.math.ec.rfc7748.X25519Field.copy(sum.y, 0, s.y, 0);
        org.bouncycastle.math.ec.rfc7748.X25519Field.copy(sum.z, 0, s.z, 0);
        return encoded(s);
    }

    private static byte[] encoded(KeyTables.Acc p) {
        byte[] out = new byte[32];
        KeyTables.encode(p, out);
        return out;
    }

    private static byte[] clampedScalar(byte[] seed) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-512").digest(seed);
            byte[] a = new byte[32];
            System.arraycopy(h, 0, a, 0, 32);
            a[0] &= (byte) 248;
            a[31] &= 127;
            a[31] |= 64;
            return a;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] scalar(BigInteger k) {
        return KeyTables.littleEndian(k);
    }

    private static BigInteger littleEndian(byte[] le) {
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) {
            be[i] = le[le.length - 1 - i];
        }
        return new BigInteger(1, be);
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x", x));
        }
        return s.toString();
    }
}
