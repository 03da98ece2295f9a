package dev.pando.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PublicKey;
import dev.pando.spi.Discovery;
import dev.pando.spi.DiscoveryEvent;
import dev.pando.spi.EventSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The discovery contract over a small in-process "LAN" (a correct discovery passes every case),
 * and proof that its cases catch what they are about: discoveries broken on purpose fail them, and
 * every case can be listed as a known limitation.
 */
class DiscoveryContractTest extends DiscoveryContract {
    private final Lan lan = new Lan();

    @Override
    protected DiscoveryUnderTest create(int site, PublicKey nodeId, NetworkId networkId) {
        return inProcess(sink -> new LanDiscovery(lan, nodeId, networkId, sink, Flaw.NONE));
    }

    @Override
    protected Duration quietPeriod() {
        return Duration.ofSeconds(1);
    }

    @org.junit.jupiter.api.Test
    void brokenDiscoveriesFailTheCasesAboutTheirFlaw() {
        assertThat(failed(SelfReporting.class, "neverReportsItself")).isEqualTo(1);
        assertThat(failed(NetworkBlind.class, "otherNetworksAreIgnored")).isEqualTo(1);
        assertThat(failed(Repeating.class, "aPeerIsReportedOnce")).isEqualTo(1);
        assertThat(failed(Repeating.class, "changedAddressesAreReportedOnce")).isEqualTo(1);
        assertThat(failed(Restartable.class, "startAfterCloseFails")).isEqualTo(1);
        assertThat(failed(Restartable.class, "startTwiceFails")).isEqualTo(1);
        assertThat(failed(Forgetful.class, "aLeavingPeerIsReportedLost")).isEqualTo(1);
        assertThat(failed(Forgetful.class, "twoNodesFindEachOther")).as("a flaw only fails its own cases").isZero();
    }

    @org.junit.jupiter.api.Test
    void everyCaseCanBeListed() {
        Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(AllCasesListed.class)).execute().testEvents();
        assertThat(events.succeeded().count()).as("only the reasons check runs").isEqualTo(1);
        assertThat(events.failed().count()).isZero();
        assertThat(events.aborted().count()).isEqualTo(DiscoveryCase.values().length);
    }

    private static long failed(Class<?> contract, String method) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectMethod(contract, method)).execute().testEvents()
                .failed().count();
    }

    enum Flaw { NONE, REPORTS_ITSELF, IGNORES_NETWORK, REPEATS, RESTARTS, NEVER_LOSES }

    /** The contract over discoveries with one flaw (run only through the engine test kit). */
    abstract static class Flawed extends DiscoveryContract {
        private final Lan lan = new Lan();

        abstract Flaw flaw();

        @Override
        protected DiscoveryUnderTest create(int site, PublicKey nodeId, NetworkId networkId) {
            return inProcess(sink -> new LanDiscovery(lan, nodeId, networkId, sink, flaw()));
        }

        @Override
        protected Duration discoveryDeadline() {
            return Duration.ofSeconds(3);
        }

        @Override
        protected Duration quietPeriod() {
            return Duration.ofMillis(500);
        }
    }

    static class SelfReporting extends Flawed {
        @Override
        Flaw flaw() {
            return Flaw.REPORTS_ITSELF;
        }
    }

    static class NetworkBlind extends Flawed {
        @Override
        Flaw flaw() {
            return Flaw.IGNORES_NETWORK;
        }
    }

    static class Repeating extends Flawed {
        @Override
        Flaw flaw() {
            return Flaw.REPEATS;
        }
    }

    static class Restartable extends Flawed {
        @Override
        Flaw flaw() {
            return Flaw.RESTARTS;
        }
    }

    static class Forgetful extends Flawed {
        @Override
        Flaw flaw() {
            return Flaw.NEVER_LOSES;
        }
    }

    static class AllCasesListed extends DiscoveryContract {
        @Override
        protected DiscoveryUnderTest create(int site, PublicKey nodeId, NetworkId networkId) {
            throw new AssertionError("a listed case must not make a discovery");
        }

        @Override
        protected Map<DiscoveryCase, String> knownLimitations() {
            Map<DiscoveryCase, String> all = new EnumMap<>(DiscoveryCase.class);
            for (DiscoveryCase c : DiscoveryCase.values()) {
                all.put(c, "failed in 1 of 1 runs (test of the mechanism)");
            }
            return all;
        }
    }

    /** Every member hears every announcement, under one lock, at once. */
    static final class Lan {
        private final List<LanDiscovery> members = new ArrayList<>();

        synchronized void announce(LanDiscovery from) {
            if (!members.contains(from)) {
                members.add(from);
                for (LanDiscovery m : members) {
                    if (m != from && m.address != null) {
                        from.heard(m);
                    }
                }
            }
            for (LanDiscovery m : members) {
                if (m != from || from.flaw == Flaw.REPORTS_ITSELF) {
                    m.heard(from);
                }
            }
        }

        synchronized void leave(LanDiscovery from) {
            members.remove(from);
            for (LanDiscovery m : members) {
                m.left(from);
            }
        }
    }

    /** A discovery over a {@link Lan}; correct unless given a {@link Flaw}. */
    static final class LanDiscovery implements Discovery {
        private final Lan lan;
        private final PublicKey id;
        private final NetworkId network;
        private final EventSink sink;
        final Flaw flaw;
        private final Map<PublicKey, NodeAddress> known = new HashMap<>();
        private boolean started;
        private boolean closed;
        NodeAddress address;

        LanDiscovery(Lan lan, PublicKey id, NetworkId network, EventSink sink, Flaw flaw) {
            this.lan = lan;
            this.id = id;
            this.network = network;
            this.sink = sink;
            this.flaw = flaw;
        }

        @Override
        public void start(List<NodeAddress> ownAddresses) {
            synchronized (lan) {
                if ((started || closed) && flaw != Flaw.RESTARTS) {
                    throw new IllegalStateException("started or closed before");
                }
                started = true;
                closed = false;
                address = ownAddresses.get(0);
                lan.announce(this);
            }
        }

        @Override
        public void addressesChanged(List<NodeAddress> ownAddresses) {
            synchronized (lan) {
                if (!started) {
                    throw new IllegalStateException("not started");
                }
                if (!closed) {
                    address = ownAddresses.get(0);
                    lan.announce(this);
                }
            }
        }

        @Override
        public void close() {
            synchronized (lan) {
                if (!closed) {
                    closed = true;
                    lan.leave(this);
                }
            }
        }

        void heard(LanDiscovery other) {
            if (closed || !started) {
                return;
            }
            if (!other.network.equals(network) && flaw != Flaw.IGNORES_NETWORK) {
                return;
            }
            if (other.address.equals(known.get(other.id))) {
                return;
            }
            known.put(other.id, other.address);
            sink.emit(new DiscoveryEvent.PeerDiscovered(other.address, "lan"));
            if (flaw == Flaw.REPEATS) {
                sink.emit(new DiscoveryEvent.PeerDiscovered(other.address, "lan")); // as a periodic re-announcement would
            }
        }

        void left(LanDiscovery other) {
            if (!closed && known.remove(other.id) != null && flaw != Flaw.NEVER_LOSES) {
                sink.emit(new DiscoveryEvent.PeerLost(other.id, "lan"));
            }
        }
    }
}
