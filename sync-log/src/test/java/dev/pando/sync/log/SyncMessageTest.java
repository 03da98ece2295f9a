package dev.pando.sync.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.CborWriter;
import dev.pando.ConfigurationException;
import dev.pando.LogId;
import dev.pando.LogKey;
import dev.pando.ProtocolViolationException;
import dev.pando.TopicId;
import dev.pando.node.ProviderRegistry;
import dev.pando.spi.NodeServices;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.SyncContext;
import dev.pando.spi.SyncProvider;
import dev.pando.testkit.support.Operations;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SyncMessageTest {
    static final TopicId TOPIC = TopicId.named("t");

    @Test
    void everyMessageRoundTrips() {
        Map<LogKey, Long> heights = Map.of(new LogKey(Operations.key(1).publicKey(), LogId.forTopic(TOPIC)), 41L,
                new LogKey(Operations.key(2).publicKey(), LogId.EMPTY), 0L);
        SyncMessage.Have have = (SyncMessage.Have) roundTrip(new SyncMessage.Have(1, TOPIC, heights));
        assertThat(have.heights()).isEqualTo(heights);
        assertThat(have.topic()).isEqualTo(TOPIC);
        assertThat(roundTrip(new SyncMessage.PreSync(7, 900))).isEqualTo(new SyncMessage.PreSync(7, 900));
        SyncMessage.Operation op = (SyncMessage.Operation) roundTrip(
                new SyncMessage.Operation(new byte[] {1, 2}, Optional.of(new byte[] {3})));
        assertThat(op.header()).containsExactly(1, 2);
        assertThat(op.body()).hasValueSatisfying(b -> assertThat(b).containsExactly(3));
        assertThat(((SyncMessage.Operation) roundTrip(new SyncMessage.Operation(new byte[] {1}, Optional.empty())))
                .body()).isEmpty();
        assertThat(roundTrip(new SyncMessage.Done())).isInstanceOf(SyncMessage.Done.class);
        assertThat(roundTrip(new SyncMessage.Refused())).isInstanceOf(SyncMessage.Refused.class);
    }

    @Test
    void theWireBytesAreAsDocumented() {
        // README, "Wire": Done is [3], PreSync(2, 10) is [1, 2, 10]
        assertThat(SyncMessage.encode(new SyncMessage.Done())).containsExactly(0x81, 0x03);
        assertThat(SyncMessage.encode(new SyncMessage.Stored(2))).containsExactly(0x82, 0x05, 0x02);
        assertThat(((SyncMessage.Stored) roundTrip(new SyncMessage.Stored(300))).operations()).isEqualTo(300);
        assertThat(SyncMessage.encode(new SyncMessage.PreSync(2, 10))).containsExactly(0x83, 0x01, 0x02, 0x0a);
    }

    @Test
    void strictDecoding() {
        assertViolation(new CborWriter().writeArrayHeader(2).writeUnsigned(3).writeUnsigned(0).toByteArray());  // Done with extra
        assertViolation(new CborWriter().writeArrayHeader(1).writeUnsigned(9).toByteArray());                    // unknown type
        assertViolation(new byte[] {(byte) 0x81, 0x03, 0x00});                                                   // trailing byte
        assertViolation(new CborWriter().writeArrayHeader(0).toByteArray());
        assertViolation(new CborWriter().writeArrayHeader(3).writeUnsigned(1).writeUnsigned(-1L).writeUnsigned(0)
                .toByteArray());                                                                                 // count over 2^63-1
        byte[] twoLogs = SyncMessage.encode(new SyncMessage.Have(1, TOPIC, Map.of(
                new LogKey(Operations.key(1).publicKey(), LogId.EMPTY), 1L,
                new LogKey(Operations.key(2).publicKey(), LogId.EMPTY), 1L)));
        assertThatThrownBy(() -> SyncMessage.decode(twoLogs, 1)).isInstanceOf(ProtocolViolationException.class)
                .hasMessageContaining("limit of 1");
    }

    @Test
    void theNodesRegistryFindsTheProviderAndChecksItsOptions() {
        // ServiceLoader, through the node's registry (node declares `uses dev.pando.spi.SyncProvider`)
        ProviderRegistry registry = ProviderRegistry.load();
        assertThat(registry.syncs()).extracting(SyncProvider::name).containsExactly("log-sync");
        SyncProvider provider = registry.sync("log-sync");
        assertThat(provider).isInstanceOf(LogSyncProvider.class);
        assertThat(provider.optionKeys()).containsExactlyInAnyOrder("max_frame_bytes", "max_logs", "max_operations",
                "timeout", "session_timeout", "batch_operations");
        assertThat(registry.createSync("log-sync", ProviderOptions.empty(), NodeServices.system()).protocolName())
                .isEqualTo("pando/sync/1");
        assertThatThrownBy(() -> registry.createSync("log-sync", ProviderOptions.of("timeot", "5s"), NodeServices.system()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("[timeot]").hasMessageContaining("in module dev.pando.sync.log");
        assertThatThrownBy(() -> registry.createSync("log-sync", ProviderOptions.of("max_frame_bytes", "10"), NodeServices.system()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("max_frame_bytes");
        assertThatThrownBy(() -> provider.create(new SyncContext(ProviderOptions.of("timeout", "0"))))
                .isInstanceOf(ConfigurationException.class);
    }

    private static SyncMessage roundTrip(SyncMessage m) {
        return SyncMessage.decode(SyncMessage.encode(m), 100);
    }

    private static void assertViolation(byte[] frame) {
        assertThatThrownBy(() -> SyncMessage.decode(frame, 100)).isInstanceOf(ProtocolViolationException.class);
    }
}
