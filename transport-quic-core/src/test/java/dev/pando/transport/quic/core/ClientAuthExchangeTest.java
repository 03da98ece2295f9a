package dev.pando.transport.quic.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.PrivateKey;
import dev.pando.ProtocolViolationException;
import dev.pando.transport.quic.core.ClientAuthExchange.Failed;
import dev.pando.transport.quic.core.ClientAuthExchange.Failure;
import dev.pando.transport.quic.core.ClientAuthExchange.Proven;
import dev.pando.transport.quic.core.ClientAuthExchange.Send;
import dev.pando.transport.quic.core.ClientAuthExchange.Step;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ClientAuthExchangeTest {
    private final PrivateKey client = PrivateKey.generate();
    private final PrivateKey server = PrivateKey.generate();
    private final NodeCertificate serverCert = NodeCertificate.create(server);

    @Test
    void exchangeProvesTheClientInWholeMessages() {
        ClientAuthExchange c = ClientAuthExchange.client(client, serverCert.der(), server.publicKey());
        ClientAuthExchange s = ClientAuthExchange.server(serverCert);
        assertThat(s.start().isEmpty()).isTrue();
        Send hello = c.start();
        assertThat(hello.bytes()).hasSize(ClientAuthExchange.HELLO_LENGTH);
        assertThat(s.wanted()).isEqualTo(ClientAuthExchange.HELLO_LENGTH);
        Send nonce = (Send) s.onBytes(ByteBuffer.wrap(hello.bytes()));
        assertThat(nonce.bytes()).hasSize(ClientAuthExchange.NONCE_LENGTH);
        assertThat(nonce.endOfOutput()).isFalse();
        Send proof = (Send) c.onBytes(ByteBuffer.wrap(nonce.bytes()));
        assertThat(proof.bytes()).hasSize(ClientAuthExchange.PROOF_LENGTH);
        assertThat(proof.endOfOutput()).as("the client half-closes after its proof").isTrue();
        assertThat(s.onBytes(ByteBuffer.wrap(proof.bytes()))).isEqualTo(new Proven(client.publicKey()));
        assertThat(s.isDone()).isTrue();
        assertThat(c.onBytes(ByteBuffer.wrap(ClientAuthExchange.acceptedStatus()))).isEqualTo(new Proven(server.publicKey()));
        assertThat(c.isDone()).isTrue();
        assertThat(c.wanted()).isZero();
        assertThatThrownBy(() -> c.onBytes(ByteBuffer.allocate(1))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void bytesMayArriveOneAtATime() {
        ClientAuthExchange c = ClientAuthExchange.client(client, serverCert.der(), server.publicKey());
        ClientAuthExchange s = ClientAuthExchange.server(serverCert);
        Step toServer = c.start();
        Step last = null;
        byte[] pending = ((Send) toServer).bytes();
        for (int round = 0; round < 2; round++) {
            Step reply = null;
            for (byte b : pending) {
                reply = s.onBytes(ByteBuffer.wrap(new byte[] {b}));
                if (reply instanceof Send send && send.isEmpty()) {
                    continue;
                }
                break;
            }
            if (reply instanceof Proven) {
                last = reply;
                break;
            }
            byte[] nonce = ((Send) reply).bytes();
            Step fromClient = null;
            for (byte b : nonce) {
                fromClient = c.onBytes(ByteBuffer.wrap(new byte[] {b}));
            }
            pending = ((Send) fromClient).bytes();
        }
        assertThat(last).isEqualTo(new Proven(client.publicKey()));
    }

    @Test
    void wireBytesAreExactlyTheSpec() throws Exception {
        byte[] nonce = new byte[32];
        Arrays.fill(nonce, (byte) 7);
        ClientAuthExchange s = ClientAuthExchange.server(serverCert, nonce);
        ClientAuthExchange c = ClientAuthExchange.client(client, serverCert.der(), server.publicKey());
        byte[] hello = c.start().bytes();
        byte[] expectedHello = new byte[38];
        System.arraycopy("PAUTH".getBytes(StandardCharsets.US_ASCII), 0, expectedHello, 0, 5);
        expectedHello[5] = 1;
        System.arraycopy(client.publicKey().bytes(), 0, expectedHello, 6, 32);
        assertThat(hello).isEqualTo(expectedHello);
        assertThat(((Send) s.onBytes(ByteBuffer.wrap(hello))).bytes()).isEqualTo(nonce);
        byte[] proof = ((Send) c.onBytes(ByteBuffer.wrap(nonce))).bytes();
        // the signed transcript, built by hand from WIRE.md
        ByteBuffer t = ByteBuffer.allocate(18 + 32 + 32 + 32 + 32);
        t.put("pando-client-auth:".getBytes(StandardCharsets.US_ASCII));
        t.put(MessageDigest.getInstance("SHA-256").digest(serverCert.der()));
        t.put(nonce).put(server.publicKey().bytes()).put(client.publicKey().bytes());
        assertThat(client.publicKey().verify(t.array(), dev.pando.Signature.fromBytes(proof))).isTrue();
        assertThat(s.onBytes(ByteBuffer.wrap(proof))).isInstanceOf(Proven.class);
    }

    @Test
    void proofVerifiesOnlyForItsOwnTranscript() {
        byte[] nonce = ClientAuthExchange.newNonce();
        byte[] proof = ClientAuthExchange.prove(client, serverCert.der(), nonce, server.publicKey());
        assertThat(ClientAuthExchange.verifyProof(proof, client.publicKey(), serverCert.der(), nonce, server.publicKey())).isTrue();

        PrivateKey other = PrivateKey.generate();
        NodeCertificate otherCert = NodeCertificate.create(other);
        byte[] otherNonce = ClientAuthExchange.newNonce();
        // another server (certificate and id), another nonce, a claimed client id that did not sign
        assertThat(ClientAuthExchange.verifyProof(proof, client.publicKey(), otherCert.der(), nonce, server.publicKey())).isFalse();
        assertThat(ClientAuthExchange.verifyProof(proof, client.publicKey(), serverCert.der(), nonce, other.publicKey())).isFalse();
        assertThat(ClientAuthExchange.verifyProof(proof, client.publicKey(), serverCert.der(), otherNonce, server.publicKey())).isFalse();
        assertThat(ClientAuthExchange.verifyProof(proof, other.publicKey(), serverCert.der(), nonce, server.publicKey())).isFalse();
        // same server key but a fresh certificate (new connection after restart)
        NodeCertificate serverCert2 = NodeCertificate.create(server);
        assertThat(ClientAuthExchange.verifyProof(proof, client.publicKey(), serverCert2.der(), nonce, server.publicKey())).isFalse();
        byte[] tampered = proof.clone();
        tampered[0] ^= 1;
        assertThat(ClientAuthExchange.verifyProof(tampered, client.publicKey(), serverCert.der(), nonce, server.publicKey())).isFalse();
        assertThat(ClientAuthExchange.verifyProof(new byte[63], client.publicKey(), serverCert.der(), nonce, server.publicKey())).isFalse();
    }

    @Test
    void serverRejectsAClientClaimingAnotherIdAndSaysSo() {
        // an impostor holding another key claims to be "client"
        PrivateKey impostor = PrivateKey.generate();
        ClientAuthExchange s = ClientAuthExchange.server(serverCert);
        byte[] nonce = ((Send) s.onBytes(ByteBuffer.wrap(ClientAuthExchange.hello(client.publicKey())))).bytes();
        byte[] proof = ClientAuthExchange.prove(impostor, serverCert.der(), nonce, server.publicKey());
        Failed f = (Failed) s.onBytes(ByteBuffer.wrap(proof));
        assertThat(f.failure()).isEqualTo(Failure.REJECTED);
        assertThat(f.closeCode()).isEqualTo(CloseCode.AUTH_FAILED);
        assertThat(f.bytes()).containsExactly(ClientAuthExchange.REJECTED);
        assertThat(f.error()).hasMessageContaining("failed to prove");
        assertThat(s.isDone()).isTrue();
    }

    @Test
    void clientSeesRejectionAndUnknownStatus() {
        ClientAuthExchange c = ClientAuthExchange.client(client, serverCert.der(), server.publicKey());
        c.start();
        c.onBytes(ByteBuffer.allocate(32));
        Failed rejected = (Failed) c.onBytes(ByteBuffer.wrap(new byte[] {1}));
        assertThat(rejected.failure()).isEqualTo(Failure.REJECTED);
        assertThat(rejected.error()).isInstanceOf(ProtocolViolationException.class).hasMessageContaining("rejected");
        assertThat(rejected.bytes()).isEmpty();

        ClientAuthExchange c2 = ClientAuthExchange.client(client, serverCert.der(), server.publicKey());
        c2.start();
        c2.onBytes(ByteBuffer.allocate(32));
        Failed weird = (Failed) c2.onBytes(ByteBuffer.wrap(new byte[] {7}));
        assertThat(weird.failure()).isEqualTo(Failure.MALFORMED);
        assertThat(weird.closeCode()).isEqualTo(CloseCode.PROTOCOL_VIOLATION);
        assertThat(weird.error()).hasMessageContaining("unknown auth status 7");
    }

    @Test
    void bytesBeyondTheCurrentMessageAreViolations() {
        // a status glued to the nonce came before the server could have seen our proof
        ClientAuthExchange c = ClientAuthExchange.client(client, serverCert.der(), server.publicKey());
        c.start();
        Failed early = (Failed) c.onBytes(ByteBuffer.allocate(33));
        assertThat(early.failure()).isEqualTo(Failure.EXCESS_BYTES);
        assertThat(early.closeCode()).isEqualTo(CloseCode.PROTOCOL_VIOLATION);

        ClientAuthExchange s = ClientAuthExchange.server(serverCert);
        s.onBytes(ByteBuffer.wrap(ClientAuthExchange.hello(client.publicKey())));
        byte[] proofAndMore = new byte[ClientAuthExchange.PROOF_LENGTH + 1];
        Failed late = (Failed) s.onBytes(ByteBuffer.wrap(proofAndMore));
        assertThat(late.failure()).isEqualTo(Failure.EXCESS_BYTES);
        assertThat(late.error()).hasMessageContaining("after its proof");
    }

    @Test
    void malformedHellosFailTheExchange() {
        byte[] good = ClientAuthExchange.hello(client.publicKey());
        assertThat(ClientAuthExchange.parseHello(good)).isEqualTo(client.publicKey());
        byte[] badMagic = good.clone();
        badMagic[0] = 'X';
        byte[] badVersion = good.clone();
        badVersion[5] = 2;
        assertThatThrownBy(() -> ClientAuthExchange.parseHello(badMagic)).isInstanceOf(ProtocolViolationException.class);
        assertThatThrownBy(() -> ClientAuthExchange.parseHello(new byte[37])).isInstanceOf(ProtocolViolationException.class);
        Failed f = (Failed) ClientAuthExchange.server(serverCert).onBytes(ByteBuffer.wrap(badVersion));
        assertThat(f.failure()).isEqualTo(Failure.MALFORMED);
        assertThat(f.closeCode()).isEqualTo(CloseCode.AUTH_FAILED);
        assertThat(f.error()).hasMessageContaining("version 2");
        assertThat(f.bytes()).isEmpty();
    }

    @Test
    void partialMessagesAskForMore() {
        ClientAuthExchange s = ClientAuthExchange.server(serverCert);
        Step step = s.onBytes(ByteBuffer.wrap(new byte[10]));
        assertThat(step).isInstanceOf(Send.class);
        assertThat(((Send) step).isEmpty()).isTrue();
        assertThat(s.wanted()).isEqualTo(ClientAuthExchange.HELLO_LENGTH - 10);
    }
}
