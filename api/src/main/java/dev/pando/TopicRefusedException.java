package dev.pando;

/** The peer does not serve the topic a sync session asked for (it may not know it, or keep it private). */
public class TopicRefusedException extends ProtocolViolationException {
    private static final long serialVersionUID = 1L;

    public TopicRefusedException(String message) {
        super(message);
    }
}
