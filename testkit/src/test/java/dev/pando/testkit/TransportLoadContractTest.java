package dev.pando.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.testkit.support.MemoryNetwork;
import dev.pando.testkit.support.ManualClock;
import dev.pando.testkit.support.MemoryLinkConditions;
import java.time.Duration;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The load contract itself, in the default build (its subclasses run only under the tag {@code
 * load}): one run of each case on the in-memory transport passes and reports its figures.
 */
class TransportLoadContractTest {

    /** One run per case (run only through the engine test kit). */
    static class OneRun extends TransportLoadContract {
        private final MemoryNetwork network = MemoryNetwork.create();

        @Override
        protected Transport createTransport(TransportContext context) {
            return network.transport(context);
        }

        @Override
        protected int runs() {
            return 1;
        }
    }

    @Test
    void everyCasePassesOnceAndReportsItsFigures() {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter").selectors(selectClass(OneRun.class)).execute();
        assertThat(results.testEvents().failed().list()).as("failures").isEmpty();
        assertThat(results.testEvents().succeeded().count()).isEqualTo(TransportLoadContract.LoadCase.values().length + 1);
        String figures = results.allEvents().reportingEntryPublished().stream()
                .map(e -> e.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs())
                .flatMap(m -> m.values().stream())
                .collect(Collectors.joining("\n"));
        for (TransportLoadContract.LoadCase c : TransportLoadContract.LoadCase.values()) {
            assertThat(figures).contains("LOAD OneRun " + c + ": 1 runs, 1 completed, 0 stalled, 0 failed; median ");
        }
        assertThat(figures).containsPattern("BULK_TRANSFER: .*, [\\d.]+ MiB/s");
        assertThat(figures).containsPattern("REQUEST_RESPONSE: .*, [\\d.]+ round trips/s");
    }

    /** Data on its links waits for a virtual clock nobody advances: nothing ever moves. */
    static class Stalling extends OneRun {
        private final MemoryNetwork frozen = MemoryNetwork.builder().clock(new ManualClock())
                .conditions(MemoryLinkConditions.PERFECT.withLatency(Duration.ofMillis(1))).build();

        @Override
        protected Transport createTransport(TransportContext context) {
            return frozen.transport(context);
        }

        @Override
        protected int runs() {
            return 2;
        }

        @Override
        protected Duration stallTimeout() {
            return Duration.ofMillis(500);
        }
    }

    @Test
    void stalledRunsAreCountedAndFailTheCaseWithTheirFigures() {
        Events events = EngineTestKit.engine("junit-jupiter")
                .selectors(selectMethod(Stalling.class, "requestResponseRoundTrips", TestReporter.class.getName()))
                .execute().testEvents();
        assertThat(events.failed().count()).isEqualTo(1);
        Throwable t = events.failed().list().get(0).getPayload(TestExecutionResult.class)
                .flatMap(TestExecutionResult::getThrowable).orElseThrow();
        assertThat(t).hasMessageContaining("LOAD Stalling REQUEST_RESPONSE: 2 runs, 0 completed, 2 stalled, 0 failed")
                .hasMessageContaining("stalled in 2 of 2 runs");
    }
}
