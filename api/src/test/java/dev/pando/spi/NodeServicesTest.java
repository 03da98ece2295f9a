package dev.pando.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.NetworkId;
import dev.pando.PrivateKey;
import dev.pando.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NodeServicesTest {

    @Test
    void contextsBuiltTheOldWayGetTheSystemServices() {
        TransportContext t = new TransportContext(PrivateKey.generate(), NetworkId.DEFAULT, ProviderOptions.empty());
        assertThat(t.services()).isSameAs(NodeServices.system());
        assertThat(new StoreContext(ProviderOptions.empty()).services()).isSameAs(NodeServices.system());
        assertThat(t.withOptions(ProviderOptions.of("a", "b")).options().string("a")).contains("b");
        assertThat(NodeServices.system().clock()).isSameAs(NodeServices.system().scheduler());
    }

    @Test
    void theSystemClockFollowsTheSystem() {
        Clock c = Clock.system();
        long before = System.nanoTime();
        assertThat(c.nanoTime()).isGreaterThanOrEqualTo(before);
        assertThat(c.now()).isAfterOrEqualTo(Instant.now().minusSeconds(1));
    }

    @Test
    void theSystemSchedulerRunsATaskOnItsThreadAndCancelsAnother() throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);
        String[] thread = new String[1];
        Scheduler s = Scheduler.system();
        s.schedule(() -> {
            thread[0] = Thread.currentThread().getName();
            ran.countDown();
        }, Duration.ofMillis(1));
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(thread[0]).isEqualTo("pando-scheduler");

        Cancellable never = s.schedule(() -> {
            throw new AssertionError("cancelled task ran");
        }, Duration.ofHours(1));
        assertThat(never.cancel()).isTrue();
        assertThat(never.cancel()).isFalse();
        assertThatThrownBy(() -> s.schedule(() -> { }, Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theSystemExecutorRunsBlockingWorkOffTheCallersThread() throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);
        Thread caller = Thread.currentThread();
        Thread[] ranOn = new Thread[1];
        NodeServices.system().executor().execute(() -> {
            ranOn[0] = Thread.currentThread();
            ran.countDown();
        });
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ranOn[0]).isNotSameAs(caller);
        assertThat(ranOn[0].isDaemon()).isTrue();
    }

    @Test
    void eventsReachTheSinkGivenAndAreDiscardedByDefault() {
        List<ProviderEvent> seen = new ArrayList<>();
        NodeServices services = NodeServices.system().withEvents(seen::add);
        PublicKey peer = PrivateKey.generate().publicKey();
        services.events().emit(new TransportEvent.PeerConnected(peer));
        NodeServices.system().events().emit(new TransportEvent.PeerDisconnected(peer));
        assertThat(seen).containsExactly(new TransportEvent.PeerConnected(peer));
        assertThatThrownBy(() -> new TransportEvent.PeerConnected(null)).isInstanceOf(NullPointerException.class);
    }
}
