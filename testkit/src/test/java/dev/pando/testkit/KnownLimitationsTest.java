package dev.pando.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import dev.pando.spi.NodeServices;
import dev.pando.spi.Store;
import dev.pando.spi.SyncProtocol;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.testkit.support.MemoryNetwork;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * The known-limitation mechanism of every contract: a case a subclass lists is reported as
 * aborted with its reason, never silent; every case of every contract can be listed; a reason
 * must cite a measurement.
 */
class KnownLimitationsTest {

    /** A contract subclass declaring a measured limitation (run only through the engine test kit). */
    static class Limited extends TransportContract {
        private final MemoryNetwork network = MemoryNetwork.create();

        @Override
        protected Transport createTransport(TransportContext context) {
            return network.transport(context);
        }

        @Override
        protected Map<ContractCase, String> knownLimitations() {
            return Map.of(ContractCase.HALF_CLOSE, "failed in 3 of 5 runs on loopback");
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

    /** Every case of the functional contract listed. */
    static class AllTransportCases extends Limited {
        @Override
        protected Map<ContractCase, String> knownLimitations() {
            return all(ContractCase.class);
        }
    }

    /** Every case of the load contract listed. */
    static class AllLoadCases extends TransportLoadContract {
        @Override
        protected Transport createTransport(TransportContext context) {
            throw new AssertionError("a listed case must not start a transport");
        }

        @Override
        protected Map<LoadCase, String> knownLimitations() {
            return all(LoadCase.class);
        }
    }

    /** Every case of the store contract listed, over a store that does nothing. */
    static class AllStoreCases extends StoreContract {
        @Override
        protected Store createStore() {
            return (Store) Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class},
                    (proxy, method, args) -> null);
        }

        @Override
        protected Map<StoreCase, String> knownLimitations() {
            return all(StoreCase.class);
        }
    }

    /** Every case of the sync contract listed: no peer, store or protocol may be made. */
    static class AllSyncCases extends SyncContract {
        @Override
        protected SyncProtocol createProtocol(NodeServices services, Duration deadline) {
            throw new AssertionError("a listed case must not make a protocol");
        }

        @Override
        protected byte[] malformedMessage() {
            throw new AssertionError("a listed case must not ask for a malformed message");
        }

        @Override
        protected Map<SyncCase, String> knownLimitations() {
            return all(SyncCase.class);
        }
    }

    private static <C extends Enum<C>> Map<C, String> all(Class<C> cases) {
        Map<C, String> map = new EnumMap<>(cases);
        for (C c : cases.getEnumConstants()) {
            map.put(c, "failed in 1 of 1 runs (test of the mechanism)");
        }
        return map;
    }

    private static Events run(Class<?> contract, String method) {
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selectMethod(contract, method))
                .execute()
                .testEvents();
    }

    private static String reason(Event aborted) {
        return aborted.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable)
                .orElseThrow().getMessage();
    }

    @Test
    void aListedCaseIsReportedAsAbortedWithItsReason() {
        Events events = run(Limited.class, "halfCloseLetsThePeerAnswerAfterEndOfStream");
        assertThat(events.aborted().count()).isEqualTo(1);
        assertThat(reason(events.aborted().list().get(0))).contains("HALF_CLOSE").contains("failed in 3 of 5 runs");
    }

    @Test
    void unlistedCasesStillRun() {
        Events events = run(Limited.class, "dialAcceptAndEcho");
        assertThat(events.succeeded().count()).isEqualTo(1);
        assertThat(events.aborted().count()).isZero();
    }

    @Test
    void everyCaseOfEveryContractCanBeListed() {
        for (Class<?> contract : List.of(AllTransportCases.class, AllLoadCases.class, AllStoreCases.class,
                AllSyncCases.class)) {
            Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(contract)).execute().testEvents();
            // knownLimitationsAreExplained is the one test that is no case
            assertThat(events.succeeded().count()).as("%s: only the reasons check runs", contract.getSimpleName()).isEqualTo(1);
            assertThat(events.failed().count()).as(contract.getSimpleName()).isZero();
            String reasons = events.aborted().stream().map(KnownLimitationsTest::reason).collect(Collectors.joining("\n"));
            Class<?> cases = Arrays.stream(contract.getSuperclass().getDeclaredClasses()).filter(Class::isEnum)
                    .findFirst().orElseGet(() -> Arrays.stream(contract.getSuperclass().getSuperclass().getDeclaredClasses())
                            .filter(Class::isEnum).findFirst().orElseThrow());
            for (Object c : cases.getEnumConstants()) {
                assertThat(reasons).as("%s: some test aborts as %s", contract.getSimpleName(), c).contains("(" + c + ")");
            }
        }
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
            assertThat(KnownLimitations.MEASUREMENT.matcher(measured).find()).as(measured).isTrue();
        }
        for (String unmeasured : new String[] {"flaky", "kwik 0.10.8 stalls", "fails on JDK 17", "see issue 13",
                "RFC 9000 says so", "stalls with 2 cores"}) {
            assertThat(KnownLimitations.MEASUREMENT.matcher(unmeasured).find()).as(unmeasured).isFalse();
        }
    }
}
