package dev.pando.transport.quic.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.ConnectionClosedException;
import dev.pando.spi.DuplexStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class AcceptQueueTest {

    /** A stream that is only an identity: the queue never touches its bytes. */
    private static final class FakeStream implements DuplexStream {
        @Override
        public int read(byte[] buffer, int offset, int length) {
            throw new UncheckedIOException(new java.io.IOException("not a real stream"));
        }

        @Override
        public void write(byte[] buffer, int offset, int length) {
        }

        @Override
        public void flush() {
        }

        @Override
        public void closeOutput() {
        }

        @Override
        public void abort() {
        }

        @Override
        public Duration timeout() {
            return Duration.ofSeconds(1);
        }

        @Override
        public void timeout(Duration timeout) {
        }

        @Override
        public void close() {
        }
    }

    private static ConnectionClosedException closed() {
        return new ConnectionClosedException("closed");
    }

    @Test
    void streamsWaitForTakersAndTakersForStreams() {
        AcceptQueue<FakeStream> q = new AcceptQueue<>(2, AcceptQueue.DIRECT);
        FakeStream a = new FakeStream();
        FakeStream b = new FakeStream();
        assertThat(q.offer(a)).isTrue();
        assertThat(q.size()).isEqualTo(1);
        assertThat(q.take(AcceptQueueTest::closed).join()).isSameAs(a);
        CompletableFuture<DuplexStream> waiting = q.take(AcceptQueueTest::closed);
        assertThat(waiting).isNotDone();
        assertThat(q.offer(b)).isTrue();
        assertThat(waiting.join()).isSameAs(b);
        assertThat(q.size()).isZero();
    }

    @Test
    void aFullQueueRefusesAndTheCallerKeepsTheStream() {
        AcceptQueue<FakeStream> q = new AcceptQueue<>(2, AcceptQueue.DIRECT);
        assertThat(q.offer(new FakeStream())).isTrue();
        assertThat(q.offer(new FakeStream())).isTrue();
        assertThat(q.offer(new FakeStream())).isFalse();
        assertThat(q.size()).isEqualTo(2);
    }

    @Test
    void cancelledTakersAreSkippedAndForgotten() {
        AcceptQueue<FakeStream> q = new AcceptQueue<>(1, AcceptQueue.DIRECT);
        CompletableFuture<DuplexStream> gaveUp = q.take(AcceptQueueTest::closed);
        CompletableFuture<DuplexStream> patient = q.take(AcceptQueueTest::closed);
        gaveUp.cancel(false);
        FakeStream s = new FakeStream();
        assertThat(q.offer(s)).isTrue();
        assertThat(patient.join()).isSameAs(s);
    }

    @Test
    void closeFailsTakersReturnsQueuedStreamsAndRefusesMore() {
        List<String> completions = new ArrayList<>();
        AcceptQueue.Completion recording = new AcceptQueue.Completion() {
            @Override
            public CompletableFuture<DuplexStream> newFuture() {
                return new CompletableFuture<>();
            }

            @Override
            public void complete(CompletableFuture<DuplexStream> future, DuplexStream stream) {
                completions.add("complete");
                future.complete(stream);
            }

            @Override
            public void fail(CompletableFuture<DuplexStream> future, RuntimeException error) {
                completions.add("fail");
                future.completeExceptionally(error);
            }
        };
        AcceptQueue<FakeStream> q = new AcceptQueue<>(4, recording);
        CompletableFuture<DuplexStream> waiting = q.take(AcceptQueueTest::closed);
        assertThat(q.close(closed())).isEmpty();
        assertThat(waiting).isCompletedExceptionally();
        assertThat(completions).containsExactly("fail");
        assertThat(q.offer(new FakeStream())).isFalse();
        assertThat(q.take(AcceptQueueTest::closed)).failsWithin(Duration.ZERO)
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(ConnectionClosedException.class);

        AcceptQueue<FakeStream> full = new AcceptQueue<>(4, AcceptQueue.DIRECT);
        FakeStream left = new FakeStream();
        full.offer(left);
        assertThat(full.close(closed())).containsExactly(left);
        assertThat(full.close(closed())).isEmpty();
        try {
            full.take(AcceptQueueTest::closed).join();
        } catch (CompletionException e) {
            assertThat(e).hasCauseInstanceOf(ConnectionClosedException.class);
        }
    }
}
