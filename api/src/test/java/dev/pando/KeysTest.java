package dev.pando;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class KeysTest {
    static final HexFormat HEX = HexFormat.of();

    @Test
    void privateKeyNeverPrintsItsSecret() {
        PrivateKey key = PrivateKey.generate();
        assertThat(key.toString()).doesNotContain(key.toHex()).contains("redacted").contains(key.publicKey().hex());
        assertThat(String.valueOf(key)).doesNotContain(key.toHex());
        assertThat(PrivateKey.fromHex(key.toHex())).isEqualTo(key);
        assertThatThrownBy(() -> PrivateKey.fromHex("zz" + key.toHex().substring(2)))
                .hasMessageNotContaining(key.toHex().substring(2));
    }

    @Test
    void hexRoundTripsEqualityAndOrdering() {
        Hash a = Hash.fromHex("00".repeat(32));
        Hash b = Hash.fromHex("80" + "00".repeat(31));
        Hash c = Hash.fromHex("ff" + "00".repeat(31));
        assertThat(new TreeSet<>(List.of(c, a, b))).containsExactly(a, b, c); // unsigned byte order
        assertThat(Hash.fromHex(b.hex())).isEqualTo(b).hasSameHashCodeAs(b);
        PublicKey pk = PrivateKey.generate().publicKey();
        assertThat(PublicKey.fromHex(pk.hex())).isEqualTo(pk);
        assertThat(PublicKey.fromBytes(pk.bytes())).isEqualTo(pk);
        assertThat((Object) Hash.fromBytes(pk.bytes())).isNotEqualTo(pk); // different types never equal
        assertThatThrownBy(() -> Hash.fromHex("00")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PublicKey.fromHex("xyz")).isInstanceOf(IllegalArgumentException.class);
        byte[] raw = pk.bytes();
        raw[0] ^= 1;
        assertThat(pk.bytes()).isNotEqualTo(raw); // defensive copies
    }

    @Test
    void signAndVerify() {
        PrivateKey key = PrivateKey.generate();
        byte[] msg = "hello".getBytes(StandardCharsets.UTF_8);
        Signature sig = key.sign(msg);
        assertThat(key.publicKey().verify(msg, sig)).isTrue();
        assertThat(key.publicKey().verify("hellO".getBytes(StandardCharsets.UTF_8), sig)).isFalse();
        assertThat(PrivateKey.generate().publicKey().verify(msg, sig)).isFalse();
    }

    @Test
    void rejectsNonCanonicalS() {
        PrivateKey key = PrivateKey.generate();
        byte[] msg = {1, 2, 3};
        byte[] sig = key.sign(msg).bytes();
        // S + L is the same scalar mod L: a lax verifier accepts it, a strict one must not
        byte[] l = HEX.parseHex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
        int carry = 0;
        for (int i = 0; i < 32; i++) {
            int sum = (sig[32 + i] & 0xFF) + (l[i] & 0xFF) + carry;
            sig[32 + i] = (byte) sum;
            carry = sum >>> 8;
        }
        // S < L < 2^253, so S + L < 2^254 and fits 32 bytes without carry out
        assertThat(carry).isZero();
        assertThat(key.publicKey().verify(msg, Signature.fromBytes(sig))).isFalse();
    }

    @Test
    void rejectsSmallOrderKeysAndR() {
        String[] smallOrder = {
            "0100000000000000000000000000000000000000000000000000000000000000", // identity
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // order 2
            "0000000000000000000000000000000000000000000000000000000000000080", // order 4
            "0000000000000000000000000000000000000000000000000000000000000000", // order 4
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", // order 8
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", // order 8
            "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", // order 8
            "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85", // order 8
            "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // identity, non-canonical
        };
        for (String hex : smallOrder) {
            PublicKey weak = PublicKey.fromHex(hex);
            assertThat(weak.isWeak()).as(hex).isTrue();
            // with a small-order key and R = identity, S = 0 satisfies the lax equation [S]B = R + [k]A
            // for every message whenever [k]A is the identity; strict verification rejects it outright
            byte[] sig = new byte[64];
            sig[0] = 1;
            assertThat(weak.verify(new byte[] {42}, Signature.fromBytes(sig))).isFalse();
        }
        PrivateKey key = PrivateKey.generate();
        assertThat(key.publicKey().isWeak()).isFalse();
        byte[] sig = key.sign(new byte[] {42}).bytes();
        System.arraycopy(HEX.parseHex(smallOrder[0]), 0, sig, 0, 32);
        assertThat(key.publicKey().verify(new byte[] {42}, Signature.fromBytes(sig))).isFalse();
    }

    @Test
    void idsDeriveAsDocumented() {
        assertThat(NetworkId.DEFAULT.hex()).isEqualTo(Hash.of("p2panda".getBytes(StandardCharsets.UTF_8)).hex());
        TopicId t = TopicId.named("chat");
        assertThat(LogId.forTopic(t).bytes()).isEqualTo(Hash.of(t.bytes()).bytes());
        assertThat(LogId.of(new byte[0])).isSameAs(LogId.EMPTY);
        assertThatThrownBy(() -> LogId.of(new byte[256])).isInstanceOf(IllegalArgumentException.class);
    }
}
