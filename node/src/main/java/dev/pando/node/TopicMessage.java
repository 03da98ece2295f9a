package dev.pando.node;

import dev.pando.Operation;
import dev.pando.PublicKey;
import java.util.Objects;
import java.util.Optional;

/** What a {@link MessageStream} delivers: a stored operation of the topic, or an ephemeral message. */
public sealed interface TopicMessage {

    /** How a stored operation reached this node. */
    enum Source {
        /** Published by this node ({@link TopicSubscription#publish}). */
        LOCAL,
        /** Already stored when the stream was opened. */
        HISTORY,
        /** Received in a sync session. */
        SYNC,
        /** Received live, on the topic's gossip overlay. */
        LIVE
    }

    /**
     * An operation of one of the topic's logs, validated and stored. A stream delivers each once, in
     * seq order per log.
     *
     * @param operation the operation (its body is absent if the log's payloads were deleted)
     * @param source how it reached this node
     * @param from the peer it came from, for {@link Source#SYNC} and {@link Source#LIVE}, when known
     */
    record Stored(Operation operation, Source source, Optional<PublicKey> from) implements TopicMessage {
        public Stored {
            Objects.requireNonNull(operation, "operation");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(from, "from");
        }

        public PublicKey author() {
            return operation.author();
        }

        public long seqNum() {
            return operation.seqNum();
        }

        /** The body's bytes (empty if the body is absent). */
        public byte[] payload() {
            return operation.body().map(b -> b.bytes()).orElse(new byte[0]);
        }
    }

    /**
     * An ephemeral message ({@link TopicSubscription#broadcast}): never stored, delivered only to
     * streams open when it arrived. Its author's signature was checked.
     *
     * @param author who signed it
     * @param timestampMicros when the author says it sent it, in microseconds since the epoch
     * @param payload the bytes as broadcast; the receiver owns the array
     * @param from the neighbour that delivered it ({@code author} itself for this node's own)
     */
    record Ephemeral(PublicKey author, long timestampMicros, byte[] payload, PublicKey from) implements TopicMessage {
        public Ephemeral {
            Objects.requireNonNull(author, "author");
            Objects.requireNonNull(payload, "payload");
            Objects.requireNonNull(from, "from");
        }
    }
}
