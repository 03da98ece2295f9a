package dev.pando.transport.quic.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.ConnectionClosedException;
import dev.pando.NetworkId;
import dev.pando.ProtocolViolationException;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StreamPreambleTest {

    @Test
    void roundTrip() {
        StreamPreamble p = new StreamPreamble(StreamPreamble.Kind.OPEN_CONNECTION, "pando/sync/1");
        byte[] bytes = p.encode();
        assertThat(bytes[0]).isEqualTo((byte) 1);
        assertThat(bytes[1]).isEqualTo((byte) 12);
        assertThat(StreamPreamble.read(new ByteArrayInputStream(bytes))).isEqualTo(p);
        ByteBuffer buf = ByteBuffer.allocate(64).put(bytes).put((byte) 42).flip();
        assertThat(StreamPreamble.tryDecode(buf)).contains(p);
        assertThat(buf.get()).isEqualTo((byte) 42);
        assertThat(new StreamPreamble(StreamPreamble.Kind.STREAM, "x/0").encode()[0]).isEqualTo((byte) 2);
        assertThat(new StreamPreamble(StreamPreamble.Kind.CLOSE_CONNECTION, "x/0").encode()[0]).isEqualTo((byte) 3);
    }

    @Test
    void tryDecodeWaitsForMoreBytes() {
        byte[] bytes = new StreamPreamble(StreamPreamble.Kind.STREAM, "pando/gossip/1").encode();
        for (int n = 0; n < bytes.length; n++) {
            ByteBuffer partial = ByteBuffer.wrap(bytes, 0, n);
            assertThat(StreamPreamble.tryDecode(partial)).isEmpty();
            assertThat(partial.position()).isZero();
        }
    }

    @Test
    void malformedPreamblesAreProtocolViolations() {
        byte[][] bad = {
            {4, 3, 'a', '/', '1'},           // unknown kind
            {0, 3, 'a', '/', '1'},           // kind 0
            {1, 0},                          // empty name
            {1, (byte) 201},                 // too long
            {2, 3, 'A', '/', '1'},           // upper case
            {2, 3, 'a', 'b', 'c'},           // no version
            {2, 4, 'a', '/', '1', 'x'},      // version not numeric
            {2, 4, 'a', '/', '/', '1'},      // empty segment
            {2, 4, 'a', (byte) 0xC3, '/', '1'}, // non-ASCII
        };
        for (byte[] b : bad) {
            assertThatThrownBy(() -> StreamPreamble.read(new ByteArrayInputStream(b)))
                    .isInstanceOf(ProtocolViolationException.class);
            assertThatThrownBy(() -> StreamPreamble.tryDecode(ByteBuffer.wrap(b)))
                    .isInstanceOf(ProtocolViolationException.class);
        }
    }

    @Test
    void truncatedBlockingReadIsClosed() {
        assertThatThrownBy(() -> StreamPreamble.read(new ByteArrayInputStream(new byte[] {2, 5, 'a'})))
                .isInstanceOf(ConnectionClosedException.class);
    }

    @Test
    void invalidProtocolNamesAreRefused() {
        assertThatThrownBy(() -> new StreamPreamble(StreamPreamble.Kind.STREAM, "nope"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void alpnIsPrefixPlusNetworkHex() {
        NetworkId id = NetworkId.DEFAULT;
        String alpn = Alpn.of(id);
        assertThat(alpn).hasSize(72).isEqualTo("pando/1/" + id.hex());
        assertThat(Alpn.bytes(id)).isEqualTo(alpn.getBytes(StandardCharsets.US_ASCII));
        assertThat(Alpn.of(NetworkId.named("other"))).isNotEqualTo(alpn);
    }
}
