package dev.pando.spi;

import java.net.URI;
import java.util.Objects;

/**
 * What a transport that keeps a connection to a home relay reports about that connection (the
 * "relay" transport): one {@link Connected} each time it is established and authenticated, one
 * {@link Disconnected} each time it is lost (the transport reconnects on its own).
 */
public sealed interface RelayEvent extends ProviderEvent {

    /** The relay this event is about. */
    URI relay();

    /** The connection to {@code relay} is up and this node's id proven to it. */
    record Connected(URI relay) implements RelayEvent {
        public Connected {
            Objects.requireNonNull(relay, "relay");
        }
    }

    /**
     * The connection to {@code relay} was lost.
     *
     * @param reason what happened, for people
     */
    record Disconnected(URI relay, String reason) implements RelayEvent {
        public Disconnected {
            Objects.requireNonNull(relay, "relay");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
