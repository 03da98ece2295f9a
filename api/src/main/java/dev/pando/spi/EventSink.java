package dev.pando.spi;

/**
 * Where a provider reports what happened ({@link ProviderEvent}s), handed in through
 * {@link NodeServices}. Providers emit whether or not anyone listens; the node decides what
 * reaches applications.
 *
 * <p><b>Contract for implementations</b> (the node's, a test's): {@link #emit} is called on the
 * provider's threads, possibly while the provider holds internal locks (that is how it keeps the
 * events of one provider in order), so it must return quickly, must not block, must not throw and
 * must not call back into the provider. Buffer, or hand the event to another thread.
 *
 * <p><b>Contract for providers:</b> one provider instance never calls {@link #emit} concurrently
 * with itself, and emits events in the order they happened.
 */
@FunctionalInterface
public interface EventSink {

    /** Takes one event. See the class documentation for the rules on both sides. */
    void emit(ProviderEvent event);

    /** A sink that drops every event (the default when nobody listens). */
    static EventSink discard() {
        return SystemServices.DISCARD;
    }
}
