package dev.pando.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.NodeAddress;
import dev.pando.PrivateKey;
import dev.pando.ProtocolViolationException;
import dev.pando.TopicId;
import dev.pando.gossip.Wire.Announcement;
import dev.pando.gossip.Wire.MessageId;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireTest {
    private static final TopicId TOPIC = TopicId.named("wire-test");
    private static final NodeAddress A = NodeAddress.direct(PrivateKey.generate().publicKey(), new InetSocketAddress("127.0.0.1", 4001));
    private static final NodeAddress B = NodeAddress.direct(PrivateKey.generate().publicKey(), new InetSocketAddress("127.0.0.1", 4002));
    private static final MessageId ID = new MessageId(0x0102030405060708L, -2);

    private static byte[] body(byte[] frame) {
        int length = ((frame[0] & 0xFF) << 24) | ((frame[1] & 0xFF) << 16) | ((frame[2] & 0xFF) << 8) | (frame[3] & 0xFF);
        assertThat(length).isEqualTo(frame.length - 4);
        return Arrays.copyOfRange(frame, 4, frame.length);
    }

    private static Wire.Message roundTrip(Wire.Message m) {
        Wire.Decoded d = Wire.decode(body(Wire.encode(TOPIC, m)), 4096);
        assertThat(d.topic()).isEqualTo(TOPIC);
        return d.message();
    }

    @Test
    void everyMessageRoundTrips() {
        assertThat(roundTrip(new Wire.Join(A))).isEqualTo(new Wire.Join(A));
        assertThat(roundTrip(new Wire.ForwardJoin(B, 6))).isEqualTo(new Wire.ForwardJoin(B, 6));
        assertThat(roundTrip(new Wire.Neighbor(A, true))).isEqualTo(new Wire.Neighbor(A, true));
        assertThat(roundTrip(new Wire.Neighbor(A, false))).isEqualTo(new Wire.Neighbor(A, false));
        assertThat(roundTrip(new Wire.NeighborAccept())).isEqualTo(new Wire.NeighborAccept());
        assertThat(roundTrip(new Wire.NeighborReject())).isEqualTo(new Wire.NeighborReject());
        assertThat(roundTrip(new Wire.Disconnect(true))).isEqualTo(new Wire.Disconnect(true));
        assertThat(roundTrip(new Wire.Shuffle(A, 3, List.of(A, B)))).isEqualTo(new Wire.Shuffle(A, 3, List.of(A, B)));
        assertThat(roundTrip(new Wire.ShuffleReply(List.of()))).isEqualTo(new Wire.ShuffleReply(List.of()));
        Wire.Gossip g = (Wire.Gossip) roundTrip(new Wire.Gossip(ID, 65535, new byte[] {1, 2, 3}));
        assertThat(g.id()).isEqualTo(ID);
        assertThat(g.round()).isEqualTo(65535);
        assertThat(g.payload()).containsExactly(1, 2, 3);
        assertThat(roundTrip(new Wire.IHave(List.of(new Announcement(ID, 7))))).isEqualTo(new Wire.IHave(List.of(new Announcement(ID, 7))));
        assertThat(roundTrip(new Wire.Graft(ID, 2))).isEqualTo(new Wire.Graft(ID, 2));
        assertThat(roundTrip(new Wire.Graft(null, 2))).isEqualTo(new Wire.Graft(null, 2));
        assertThat(roundTrip(new Wire.Prune())).isEqualTo(new Wire.Prune());
        assertThat(Wire.isHello(body(Wire.hello()))).isTrue();
    }

    @Test
    void everyTruncationOfAMessageIsAViolation() {
        for (Wire.Message m : List.of(new Wire.Shuffle(A, 3, List.of(A, B)), new Wire.Gossip(ID, 1, new byte[0]),
                new Wire.Graft(ID, 1), new Wire.IHave(List.of(new Announcement(ID, 1))), new Wire.Neighbor(B, true))) {
            byte[] full = body(Wire.encode(TOPIC, m));
            // a gossip payload is the rest of the frame: only cuts before it are malformed
            int end = m instanceof Wire.Gossip ? 1 + 32 + 16 + 2 : full.length;
            for (int cut = 0; cut < end; cut++) {
                byte[] part = Arrays.copyOf(full, cut);
                assertThatThrownBy(() -> Wire.decode(part, 4096)).as("%s cut at %d", m, cut).isInstanceOf(ProtocolViolationException.class);
            }
        }
    }

    @Test
    void malformedFieldsAreViolations() {
        byte[] prune = body(Wire.encode(TOPIC, new Wire.Prune()));
        assertThatThrownBy(() -> Wire.decode(Arrays.copyOf(prune, prune.length + 1), 4096)).isInstanceOf(ProtocolViolationException.class)
                .hasMessageContaining("after the end");
        byte[] disconnect = body(Wire.encode(TOPIC, new Wire.Disconnect(true)));
        disconnect[disconnect.length - 1] = 2;
        assertThatThrownBy(() -> Wire.decode(disconnect, 4096)).isInstanceOf(ProtocolViolationException.class).hasMessageContaining("flag");
        byte[] gossip = body(Wire.encode(TOPIC, new Wire.Gossip(ID, 0, new byte[11])));
        assertThatThrownBy(() -> Wire.decode(gossip, 10)).isInstanceOf(ProtocolViolationException.class).hasMessageContaining("limit is 10");
        byte[] unknown = body(Wire.encode(TOPIC, new Wire.Prune()));
        unknown[0] = 42;
        assertThatThrownBy(() -> Wire.decode(unknown, 4096)).isInstanceOf(ProtocolViolationException.class).hasMessageContaining("unknown");
        byte[] hello = body(Wire.hello());
        assertThatThrownBy(() -> Wire.decode(hello, 4096)).isInstanceOf(ProtocolViolationException.class);
        byte[] join = body(Wire.encode(TOPIC, new Wire.Join(A)));
        join[1 + 32 + 2] = '!'; // the address text no longer parses
        assertThatThrownBy(() -> Wire.decode(join, 4096)).isInstanceOf(ProtocolViolationException.class).hasMessageContaining("address");
    }

    @Test
    void ihaveAndShuffleCountsAreBounded() {
        List<Announcement> many = new ArrayList<>();
        for (int i = 0; i <= Wire.MAX_IHAVES; i++) {
            many.add(new Announcement(new MessageId(i, i), 1));
        }
        byte[] tooMany = body(Wire.encode(TOPIC, new Wire.IHave(many)));
        assertThatThrownBy(() -> Wire.decode(tooMany, 4096)).isInstanceOf(ProtocolViolationException.class).hasMessageContaining("limit");
        byte[] none = body(Wire.encode(TOPIC, new Wire.IHave(List.of())));
        assertThatThrownBy(() -> Wire.decode(none, 4096)).isInstanceOf(ProtocolViolationException.class);
        List<NodeAddress> addresses = new ArrayList<>();
        for (int i = 0; i <= Wire.MAX_SHUFFLE_ADDRESSES; i++) {
            addresses.add(A);
        }
        byte[] shuffle = body(Wire.encode(TOPIC, new Wire.ShuffleReply(addresses)));
        assertThatThrownBy(() -> Wire.decode(shuffle, 4096)).isInstanceOf(ProtocolViolationException.class).hasMessageContaining("addresses");
    }
}
