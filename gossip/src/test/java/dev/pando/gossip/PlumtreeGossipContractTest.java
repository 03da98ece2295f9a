package dev.pando.gossip;

import dev.pando.spi.GossipProvider;
import dev.pando.testkit.GossipContract;
import java.util.Map;

/** The testkit's Gossip contract against "plumtree" on the in-memory network. */
class PlumtreeGossipContractTest extends GossipContract {

    @Override
    protected GossipProvider provider() {
        return new PlumtreeGossipProvider();
    }

    @Override
    protected String protocol() {
        return PlumtreeGossipProvider.PROTOCOL;
    }

    @Override
    protected Map<String, byte[]> hostileInputs() {
        return Map.of(
                // HELLO, then a frame of an unknown type (99) for a topic of 32 zero bytes
                "an unknown message type", concat(Wire.hello(), frame(99, 32)),
                // a frame announced at 2 GiB - 1
                "an oversized frame", new byte[] {0x7f, -1, -1, -1, 0},
                // not HELLO first
                "no greeting", frame(Wire.PRUNE, 32),
                // HELLO, then a PRUNE with a byte too many
                "trailing bytes", concat(Wire.hello(), frame(Wire.PRUNE, 33)));
    }

    private static byte[] frame(int type, int zeros) {
        byte[] f = new byte[4 + 1 + zeros];
        Wire.putInt(f, 0, 1 + zeros);
        f[4] = (byte) type;
        return f;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
