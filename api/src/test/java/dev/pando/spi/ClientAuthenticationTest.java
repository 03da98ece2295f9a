package dev.pando.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.ConnectionClosedException;
import dev.pando.PrivateKey;
import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClientAuthenticationTest {
    private final PrivateKey client = PrivateKey.generate();
    private final PrivateKey server = PrivateKey.generate();
    private final NodeCertificate serverCert = NodeCertificate.create(server);
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void blockingExchangeProvesTheClient() throws Exception {
        PipedInputStream serverIn = new PipedInputStream(1024);
        PipedOutputStream clientOut = new PipedOutputStream(serverIn);
        PipedInputStream clientIn = new PipedInputStream(1024);
        PipedOutputStream serverOut = new PipedOutputStream(clientIn);
        CompletableFuture<PublicKey> s = CompletableFuture.supplyAsync(
                () -> ClientAuthentication.runServer(serverIn, serverOut, serverCert), pool);
        CompletableFuture<Void> c = CompletableFuture.runAsync(
                () -> ClientAuthentication.runClient(clientIn, clientOut, client, serverCert.der(), server.publicKey()), pool);
        assertThat(s.get(10, TimeUnit.SECONDS)).isEqualTo(client.publicKey());
        c.get(10, TimeUnit.SECONDS);
    }

    @Test
    void proofVerifiesOnlyForItsOwnTranscript() {
        byte[] nonce = ClientAuthentication.newNonce();
        byte[] proof = ClientAuthentication.prove(client, serverCert.der(), nonce, server.publicKey());
        assertThat(ClientAuthentication.verifyProof(proof, client.publicKey(), serverCert.der(), nonce, server.publicKey())).isTrue();

        PrivateKey other = PrivateKey.generate();
        NodeCertificate otherCert = NodeCertificate.create(other);
        byte[] otherNonce = ClientAuthentication.newNonce();
        // another server (certificate and id), another nonce, a claimed client id that did not sign
        assertThat(ClientAuthentication.verifyProof(proof, client.publicKey(), otherCert.der(), nonce, server.publicKey())).isFalse();
        assertThat(ClientAuthentication.verifyProof(proof, client.publicKey(), serverCert.der(), nonce, other.publicKey())).isFalse();
        assertThat(ClientAuthentication.verifyProof(proof, client.publicKey(), serverCert.der(), otherNonce, server.publicKey())).isFalse();
        assertThat(ClientAuthentication.verifyProof(proof, other.publicKey(), serverCert.der(), nonce, server.publicKey())).isFalse();
        // same server key but a fresh certificate (new connection after restart)
        NodeCertificate serverCert2 = NodeCertificate.create(server);
        assertThat(ClientAuthentication.verifyProof(proof, client.publicKey(), serverCert2.der(), nonce, server.publicKey())).isFalse();
        byte[] tampered = proof.clone();
        tampered[0] ^= 1;
        assertThat(ClientAuthentication.verifyProof(tampered, client.publicKey(), serverCert.der(), nonce, server.publicKey())).isFalse();
        assertThat(ClientAuthentication.verifyProof(new byte[63], client.publicKey(), serverCert.der(), nonce, server.publicKey())).isFalse();
    }

    @Test
    void serverRejectsAClientClaimingAnotherIdAndSaysSo() {
        // an impostor holding key "other" claims to be "client"
        PrivateKey impostor = PrivateKey.generate();
        ByteArrayOutputStream toClient = new ByteArrayOutputStream();
        byte[] hello = ClientAuthentication.hello(client.publicKey());
        // the server's nonce is random, so a proof made beforehand cannot match it
        byte[] proof = ClientAuthentication.prove(impostor, serverCert.der(), new byte[32], server.publicKey());
        ByteArrayInputStream fromClient = new ByteArrayInputStream(concat(hello, proof));
        assertThatThrownBy(() -> ClientAuthentication.runServer(fromClient, toClient, serverCert))
                .isInstanceOf(ProtocolViolationException.class).hasMessageContaining("failed to prove");
        byte[] sent = toClient.toByteArray();
        assertThat(sent).hasSize(ClientAuthentication.NONCE_LENGTH + 1);
        assertThat(sent[sent.length - 1]).isEqualTo((byte) ClientAuthentication.REJECTED);
    }

    @Test
    void clientSeesRejection() {
        ByteArrayInputStream fromServer = new ByteArrayInputStream(concat(new byte[32], new byte[] {1}));
        assertThatThrownBy(() -> ClientAuthentication.runClient(fromServer, new ByteArrayOutputStream(), client,
                serverCert.der(), server.publicKey()))
                .isInstanceOf(ProtocolViolationException.class).hasMessageContaining("rejected");
        ByteArrayInputStream weird = new ByteArrayInputStream(concat(new byte[32], new byte[] {7}));
        assertThatThrownBy(() -> ClientAuthentication.runClient(weird, new ByteArrayOutputStream(), client,
                serverCert.der(), server.publicKey()))
                .isInstanceOf(ProtocolViolationException.class).hasMessageContaining("unknown auth status");
    }

    @Test
    void truncatedStreamsFailAsClosed() {
        ByteArrayInputStream half = new ByteArrayInputStream(new byte[20]);
        assertThatThrownBy(() -> ClientAuthentication.runServer(half, new ByteArrayOutputStream(), serverCert))
                .isInstanceOf(ConnectionClosedException.class);
        ByteArrayInputStream noStatus = new ByteArrayInputStream(new byte[32]);
        assertThatThrownBy(() -> ClientAuthentication.runClient(noStatus, new ByteArrayOutputStream(), client,
                serverCert.der(), server.publicKey()))
                .isInstanceOf(ConnectionClosedException.class);
    }

    @Test
    void malformedHellosAreProtocolViolations() {
        byte[] good = ClientAuthentication.hello(client.publicKey());
        assertThat(ClientAuthentication.parseHello(good)).isEqualTo(client.publicKey());
        assertThat(new String(good, 0, 5, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PAUTH");
        byte[] badMagic = good.clone();
        badMagic[0] = 'X';
        byte[] badVersion = good.clone();
        badVersion[5] = 2;
        assertThatThrownBy(() -> ClientAuthentication.parseHello(badMagic)).isInstanceOf(ProtocolViolationException.class);
        assertThatThrownBy(() -> ClientAuthentication.parseHello(badVersion)).isInstanceOf(ProtocolViolationException.class)
                .hasMessageContaining("version 2");
        assertThatThrownBy(() -> ClientAuthentication.parseHello(new byte[37])).isInstanceOf(ProtocolViolationException.class);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
