package dev.pando.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.testkit.support.MemoryNetwork;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** The known-limitation mechanism of {@link TransportContract}: reported, never silent. */
class TransportContractLimitationTest {

    /** A contract subclass declaring a measured limitation (run only through the engine test kit). */
    static class Limited extends TransportContract {
        private final MemoryNetwork network = MemoryNetwork.create();

        @Override
        protected Transport createTransport(TransportContext context) {
            return network.transport(context);
        }

        @Override
        protected Map<ContractCase, String> knownLimitations() {
            return Map.of(ContractCase.BULK_TRANSFER, "stalled in 3 of 5 runs of 64 MiB on loopback");
        }
    }

    /** A contract subclass declaring a limitation without any measurement. */
    static class Unexplained extends Limited {
        @Override
        protected Map<ContractCase, String> knownLimitations() {
            return Map.of(ContractCase.DEADLINE, "flaky");
        }
    }

    /** A limitation citing only a version number and a JDK: digits, but no measurement. */
    static class Unmeasured extends Limited {
        @Override
        protected Map<ContractCase, String> knownLimitations() {
            return Map.of(ContractCase.DEADLINE, "kwik 0.10.8 stalls here on JDK 17");
        }
    }

    private static Events run(Class<?> contract, String method) {
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selectMethod(contract, method))
                .execute()
                .testEvents();
    }

    @Test
    void aListedCaseIsReportedAsAbortedWithItsReason() {
        Events events = run(Limited.class, "sixtyFourMebibytesArriveIntact");
        assertThat(events.aborted().count()).isEqualTo(1);
        Throwable reason = events.aborted().list().get(0).getPayload(TestExecutionResult.class)
                .flatMap(TestExecutionResult::getThrowable).orElseThrow();
        assertThat(reason).hasMessageContaining("BULK_TRANSFER").hasMessageContaining("stalled in 3 of 5 runs");
    }

    @Test
    void unlistedCasesStillRun() {
        Events events = run(Limited.class, "halfCloseLetsThePeerAnswerAfterEndOfStream");
        assertThat(events.succeeded().count()).isEqualTo(1);
        assertThat(events.aborted().count()).isZero();
    }

    @Test
    void aReasonWithoutMeasurementFailsTheContract() {
        assertThat(run(Limited.class, "knownLimitationsAreExplained").succeeded().count()).isEqualTo(1);
        Events events = run(Unexplained.class, "knownLimitationsAreExplained");
        assertThat(events.failed().count()).isEqualTo(1);
        assertThat(run(Unmeasured.class, "knownLimitationsAreExplained").failed().count()).isEqualTo(1);
    }

    @Test
    void measurementsAreCountsOutOfATotalOrNumbersWithAUnit() {
        for (String measured : new String[] {"stalled in 6 of 15 runs", "2 out of 10", "1 in 20 rounds", "took 450 ms",
                "took 30s", "0.5 % of packets", "64 MiB transfer", "failed 3 times", "10,000 round trips", "12x slower"}) {
            assertThat(TransportContract.MEASUREMENT.matcher(measured).find()).as(measured).isTrue();
        }
        for (String unmeasured : new String[] {"flaky", "kwik 0.10.8 stalls", "fails on JDK 17", "see issue 13",
                "RFC 9000 says so", "stalls with 2 cores"}) {
            assertThat(TransportContract.MEASUREMENT.matcher(unmeasured).find()).as(unmeasured).isFalse();
        }
    }
}
