package dev.pando;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.Test;

/**
 * {@link PublicKey#verify} decodes each key's point once (cached) and verifies against it: it must
 * answer exactly as BouncyCastle's verify from the key's bytes, after the strict checks, for valid,
 * tampered and random signatures and for random 32-byte keys (most of which are not on the curve).
 */
class PublicPointCacheTest {

    private static boolean byBytes(PublicKey key, byte[] message, byte[] sig) {
        byte[] pk = key.bytes();
        if (PublicKey.isSmallOrder(pk, 0) || PublicKey.isSmallOrder(sig, 0) || !PublicKey.isCanonicalScalar(sig, 32)) {
            return false;
        }
        return Ed25519.verify(sig, 0, pk, 0, message, 0, message.length);
    }

    @Test
    void verifyingAgainstTheCachedPointAnswersAsVerifyingFromTheBytes() {
        Trials.run(400, random -> {
            byte[] seed = new byte[32];
            random.nextBytes(seed);
            PrivateKey author = PrivateKey.fromBytes(seed);
            byte[] message = new byte[random.nextInt(300)];
            random.nextBytes(message);
            byte[] sig = author.sign(message).bytes();
            PublicKey key = author.publicKey();
            // a fresh instance with the same bytes, as a decoded operation has: the shared cache
            PublicKey again = PublicKey.fromBytes(key.bytes());
            for (PublicKey k : new PublicKey[] {key, again, key}) {
                assertThat(k.verify(message, 0, message.length, sig)).isTrue().isEqualTo(byBytes(k, message, sig));
            }
            byte[] tampered = sig.clone();
            tampered[random.nextInt(64)] ^= (byte) (1 << random.nextInt(8));
            assertThat(again.verify(message, 0, message.length, tampered)).isEqualTo(byBytes(again, message, tampered));
            if (message.length > 0) {
                byte[] other = message.clone();
                other[random.nextInt(other.length)] ^= 1;
                assertThat(key.verify(other, 0, other.length, sig)).isFalse().isEqualTo(byBytes(key, other, sig));
            }
            PublicKey stranger = randomKey(random);
            assertThat(stranger.verify(message, 0, message.length, sig)).isEqualTo(byBytes(stranger, message, sig));
        });
    }

    @Test
    void aKeyThatIsNotOnTheCurveVerifiesNothing() {
        Trials.run(200, random -> {
            PublicKey key = randomKey(random);
            if (Ed25519.validatePublicKeyPartialExport(key.bytes(), 0) == null) {
                byte[] sig = new byte[64];
                random.nextBytes(sig);
                sig[63] &= 0x0F; // a canonical S
                assertThat(key.verify(new byte[] {1, 2, 3}, 0, 3, sig)).isFalse();
            }
        });
    }

    private static PublicKey randomKey(Random random) {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return PublicKey.fromBytes(b);
    }
}
