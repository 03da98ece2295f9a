package dev.pando.testkit.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.spi.Cancellable;
import dev.pando.spi.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ManualClock} as a {@link Scheduler}: tasks run only when the test advances time, in order. */
class ManualClockTest {

    @Test
    void tasksRunOnTheAdvancingThreadInDueOrderAtTheirDueTime() {
        ManualClock clock = new ManualClock(Instant.parse("2025-01-01T00:00:00Z"));
        Scheduler scheduler = clock;
        List<String> ran = new ArrayList<>();
        scheduler.schedule(() -> ran.add("b@" + clock.elapsed().toMillis()), Duration.ofMillis(20));
        scheduler.schedule(() -> ran.add("a@" + clock.elapsed().toMillis()), Duration.ofMillis(10));
        scheduler.schedule(() -> ran.add("b2@" + clock.elapsed().toMillis()), Duration.ofMillis(20));
        scheduler.schedule(() -> ran.add("c@" + clock.elapsed().toMillis()), Duration.ofMillis(30));
        Thread caller = Thread.currentThread();
        scheduler.schedule(() -> assertThat(Thread.currentThread()).isSameAs(caller), Duration.ofMillis(5));

        assertThat(ran).isEmpty();
        clock.advance(Duration.ofMillis(25));
        assertThat(ran).containsExactly("a@10", "b@20", "b2@20");
        assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(25));
        assertThat(clock.now()).isEqualTo(Instant.parse("2025-01-01T00:00:00.025Z"));
        assertThat(clock.pendingTasks()).isEqualTo(1);
        clock.advance(Duration.ofMillis(5));
        assertThat(ran).containsExactly("a@10", "b@20", "b2@20", "c@30");
    }

    @Test
    void aTaskScheduledWhileAdvancingRunsInTheSameAdvanceIfDue() {
        ManualClock clock = new ManualClock();
        List<Long> ran = new ArrayList<>();
        clock.schedule(() -> {
            ran.add(clock.elapsed().toMillis());
            clock.schedule(() -> ran.add(clock.elapsed().toMillis()), Duration.ofMillis(10));
            clock.schedule(() -> ran.add(clock.elapsed().toMillis()), Duration.ofMillis(100));
        }, Duration.ofMillis(10));
        clock.advance(Duration.ofMillis(50));
        assertThat(ran).containsExactly(10L, 20L);
        assertThat(clock.now()).isEqualTo(Instant.EPOCH.plusMillis(50));
    }

    @Test
    void zeroDelayWaitsForTheNextAdvanceAndCancelWorksOnce() {
        ManualClock clock = new ManualClock();
        List<String> ran = new ArrayList<>();
        clock.schedule(() -> ran.add("now"), Duration.ZERO);
        Cancellable later = clock.schedule(() -> ran.add("cancelled"), Duration.ofMillis(1));
        assertThat(ran).isEmpty();
        assertThat(later.cancel()).isTrue();
        assertThat(later.cancel()).isFalse();
        clock.advance(Duration.ZERO);
        assertThat(ran).containsExactly("now");
        clock.advance(Duration.ofSeconds(1));
        assertThat(ran).containsExactly("now");
        assertThat(clock.pendingTasks()).isZero();
        assertThatThrownBy(() -> clock.schedule(() -> { }, Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFailingTaskDoesNotStopTheOthersAndIsRethrownAfterTheAdvance() {
        ManualClock clock = new ManualClock();
        List<String> ran = new ArrayList<>();
        clock.schedule(() -> {
            throw new IllegalStateException("first");
        }, Duration.ofMillis(1));
        clock.schedule(() -> {
            throw new IllegalStateException("second");
        }, Duration.ofMillis(2));
        clock.schedule(() -> ran.add("third"), Duration.ofMillis(3));
        assertThatThrownBy(() -> clock.advance(Duration.ofMillis(10)))
                .hasMessage("first")
                .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage).containsExactly("second"));
        assertThat(ran).containsExactly("third");
        assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(10));
    }
}
