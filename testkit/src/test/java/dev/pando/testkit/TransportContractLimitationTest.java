package dev.pando.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import dev.pando.NetworkId;
import dev.pando.PrivateKey;
import dev.pando.spi.Transport;
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
        protected Transport createTransport(PrivateKey identity, NetworkId networkId) {
            return network.transport(identity, networkId);
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
    }
}
