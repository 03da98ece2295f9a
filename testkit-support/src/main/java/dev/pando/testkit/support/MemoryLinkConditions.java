package dev.pando.testkit.support;

import java.time.Duration;
import java.util.Objects;

/**
 * How one direction of a link of a {@link MemoryNetwork} behaves. Applies to stream data and to
 * the end-of-stream marker, cut into packets of at most {@value MemoryNetwork#PACKET_SIZE} bytes:
 * <ul>
 *   <li>{@code latency}: one-way delay added to every packet;</li>
 *   <li>{@code bandwidth}: bytes per second the link serialises, shared (first come, first served)
 *       by every stream from one node to another; {@code 0} means unlimited;</li>
 *   <li>{@code loss}: probability, in {@code [0, 1)}, that one transmission of a packet is lost.
 *       Streams are reliable, so a loss is modelled as the retransmission QUIC would make: the
 *       packet arrives {@code retransmissionDelay} later, once per consecutive loss, and everything
 *       behind it on its stream waits (head-of-line blocking). Losses never drop or reorder bytes.</li>
 * </ul>
 * Connection set-up, stream opening and aborts are immediate; these conditions do not apply to
 * them.
 */
public record MemoryLinkConditions(Duration latency, long bandwidth, double loss, Duration retransmissionDelay) {

    /** No latency, unlimited bandwidth, no loss. */
    public static final MemoryLinkConditions PERFECT =
            new MemoryLinkConditions(Duration.ZERO, 0, 0.0, Duration.ofMillis(100));

    public MemoryLinkConditions {
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(retransmissionDelay, "retransmissionDelay");
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative: " + latency);
        }
        if (bandwidth < 0) {
            throw new IllegalArgumentException("bandwidth must be >= 0 bytes/s (0 = unlimited): " + bandwidth);
        }
        if (!(loss >= 0.0 && loss < 1.0)) {
            throw new IllegalArgumentException("loss must be in [0, 1): " + loss);
        }
        if (retransmissionDelay.isNegative() || retransmissionDelay.isZero()) {
            throw new IllegalArgumentException("retransmissionDelay must be positive: " + retransmissionDelay);
        }
    }

    public MemoryLinkConditions withLatency(Duration latency) {
        return new MemoryLinkConditions(latency, bandwidth, loss, retransmissionDelay);
    }

    /** @param bytesPerSecond {@code 0} for unlimited */
    public MemoryLinkConditions withBandwidth(long bytesPerSecond) {
        return new MemoryLinkConditions(latency, bytesPerSecond, loss, retransmissionDelay);
    }

    public MemoryLinkConditions withLoss(double probability) {
        return new MemoryLinkConditions(latency, bandwidth, probability, retransmissionDelay);
    }

    public MemoryLinkConditions withRetransmissionDelay(Duration delay) {
        return new MemoryLinkConditions(latency, bandwidth, loss, delay);
    }
}
