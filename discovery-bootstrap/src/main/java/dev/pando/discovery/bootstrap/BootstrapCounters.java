package dev.pando.discovery.bootstrap;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** What a bootstrap discovery did and refused, since it was made. Thread-safe. */
final class BootstrapCounters {
    final AtomicLong exchangesMade = new AtomicLong();
    final AtomicLong exchangesServed = new AtomicLong();
    final AtomicLong exchangeFailures = new AtomicLong();
    final AtomicLong recordsAccepted = new AtomicLong();
    final AtomicLong evicted = new AtomicLong();
    final AtomicLong expired = new AtomicLong();
    final AtomicLong connectionsDropped = new AtomicLong();
    /** Records served because the node's {@code PeerAffinity} named their node for the asker. */
    final AtomicLong recordsPreferred = new AtomicLong();
    /** Times the node's {@code PeerAffinity} threw (the answer was then a plain random sample). */
    final AtomicLong affinityFailures = new AtomicLong();
    private final Map<Rejection, AtomicLong> rejected = new EnumMap<>(Rejection.class);

    BootstrapCounters() {
        for (Rejection r : Rejection.values()) {
            rejected.put(r, new AtomicLong());
        }
    }

    void reject(Rejection r) {
        rejected.get(r).incrementAndGet();
    }

    long rejected(Rejection r) {
        return rejected.get(r).get();
    }

    long rejectedTotal() {
        return rejected.values().stream().mapToLong(AtomicLong::get).sum();
    }

    @Override
    public String toString() {
        return "made=" + exchangesMade + " served=" + exchangesServed + " failures=" + exchangeFailures + " accepted="
                + recordsAccepted + " evicted=" + evicted + " expired=" + expired + " dropped=" + connectionsDropped
                + " preferred=" + recordsPreferred + " affinityFailures=" + affinityFailures
                + " rejected=" + rejected;
    }
}
