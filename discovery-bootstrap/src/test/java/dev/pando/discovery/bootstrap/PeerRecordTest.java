package dev.pando.discovery.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PrivateKey;
import dev.pando.spi.DiscoverySigner;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PeerRecordTest {
    private static final NetworkId NET = NetworkId.named("peer-record-test");
    private final PrivateKey key = PrivateKey.generate();
    private final Instant now = Instant.parse("2026-12-06T08:00:00Z");
    private final NodeAddress address = new NodeAddress(key.publicKey(), List.of(),
            Optional.of(URI.create("http://127.0.0.1:3340/")));

    private PeerRecord signed() {
        return PeerRecord.sign(address, now, NET, DiscoverySigner.of(key));
    }

    private static Rejection rejection(Runnable r) {
        try {
            r.run();
        } catch (PeerExchangeException e) {
            return e.rejection();
        }
        return null;
    }

    @Test
    void aSignedRecordDecodesToItself() {
        PeerRecord r = signed();
        PeerRecord back = PeerRecord.decode(r.encoded(), NET);
        assertThat(back).isEqualTo(r);
        assertThat(back.address()).isEqualTo(address);
        assertThat(back.timestamp()).isEqualTo(now);
    }

    @Test
    void everyAlteredByteBreaksTheSignatureOrTheFormat() {
        byte[] good = signed().encoded();
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x01;
            assertThat(rejection(() -> PeerRecord.decode(bad, NET))).as("byte %d flipped", i).isNotNull();
        }
    }

    @Test
    void nobodyCanSignAnotherNodesRecord() {
        PrivateKey forger = PrivateKey.generate();
        PeerRecord forged = PeerRecord.sign(address, now, NET, DiscoverySigner.of(forger));
        assertThat(rejection(() -> PeerRecord.decode(forged.encoded(), NET))).isEqualTo(Rejection.BAD_SIGNATURE);
    }

    @Test
    void aRecordOfAnotherNetworkDoesNotVerify() {
        assertThat(rejection(() -> PeerRecord.decode(signed().encoded(), NetworkId.named("other"))))
                .isEqualTo(Rejection.BAD_SIGNATURE);
    }

    @Test
    void aSignatureMadeForARecordIsNotTheKeysPlainSignature() {
        // the signer's domain separates discovery signatures from everything else the key signs
        byte[] message = "x".getBytes();
        assertThat(key.publicKey().verify(message, DiscoverySigner.of(key).sign(message))).isFalse();
        assertThat(DiscoverySigner.verify(key.publicKey(), message, DiscoverySigner.of(key).sign(message))).isTrue();
    }

    @Test
    void staleAndFutureRecordsAreRefused() {
        PeerRecord r = signed();
        Duration ttl = Duration.ofMinutes(10);
        Duration skew = Duration.ofSeconds(60);
        r.checkAge(now.plus(ttl), ttl, skew);
        r.checkAge(now.minus(skew), ttl, skew);
        assertThat(rejection(() -> r.checkAge(now.plus(ttl).plusMillis(1), ttl, skew))).isEqualTo(Rejection.STALE);
        assertThat(rejection(() -> r.checkAge(now.minus(skew).minusMillis(1), ttl, skew))).isEqualTo(Rejection.FUTURE);
    }

    @Test
    void truncatedOversizedAndUnknownVersionsAreTyped() {
        byte[] good = signed().encoded();
        assertThat(rejection(() -> PeerRecord.decode(Arrays.copyOf(good, 20), NET))).isEqualTo(Rejection.MALFORMED);
        assertThat(rejection(() -> PeerRecord.decode(Arrays.copyOf(good, good.length - 1), NET))).isEqualTo(Rejection.MALFORMED);
        assertThat(rejection(() -> PeerRecord.decode(new byte[PeerRecord.MAX_BYTES + 1], NET))).isEqualTo(Rejection.OVERSIZED);
        byte[] v2 = good.clone();
        v2[0] = 2;
        assertThat(rejection(() -> PeerRecord.decode(v2, NET))).isEqualTo(Rejection.UNSUPPORTED_VERSION);
    }

    @Test
    void randomBytesNeverEscapeAsAnythingButATypedRejection() {
        Random random = new Random(15);
        for (int i = 0; i < 20_000; i++) {
            byte[] junk = new byte[random.nextInt(PeerRecord.MAX_BYTES + 50)];
            random.nextBytes(junk);
            if (junk.length > 0 && random.nextBoolean()) {
                junk[0] = 1;
            }
            assertThat(rejection(() -> PeerRecord.decode(junk, NET))).isNotNull();
        }
    }

    @Test
    void anAddressTooLongForARecordIsRefusedWhenSigning() {
        NodeAddress huge = new NodeAddress(key.publicKey(), List.of(),
                Optional.of(URI.create("http://example.invalid/" + "a".repeat(PeerRecord.MAX_ADDRESS_BYTES))));
        assertThatThrownBy(() -> PeerRecord.sign(huge, now, NET, DiscoverySigner.of(key)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
