package dev.pando.transport.quic.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.PrivateKey;
import dev.pando.ProtocolViolationException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeCertificateTest {
    private final PrivateKey node = PrivateKey.generate();

    @Test
    void roundTripProvesTheNodeId() {
        NodeCertificate c = NodeCertificate.create(node);
        assertThat(NodeCertificate.verify(List.of(c.certificate()))).isEqualTo(node.publicKey());
        assertThat(NodeCertificate.verify(List.of(c.certificate()), node.publicKey())).isEqualTo(node.publicKey());
        assertThat(c.nodeId()).isEqualTo(node.publicKey());
        assertThat(c.certificate().getPublicKey()).isEqualTo(c.keyPair().getPublic());
        assertThat(c.certificate().getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(c.certificate().getVersion()).isEqualTo(3);
        assertThat(c.certificate().getNonCriticalExtensionOIDs()).contains(NodeCertificate.IDENTITY_EXTENSION_OID);
    }

    @Test
    void eachCertificateIsFresh() {
        NodeCertificate a = NodeCertificate.create(node);
        NodeCertificate b = NodeCertificate.create(node);
        assertThat(a.keyPair().getPublic()).isNotEqualTo(b.keyPair().getPublic());
        assertThat(a.certificate().getSerialNumber()).isNotEqualTo(b.certificate().getSerialNumber());
    }

    @Test
    void validityIsAnHourBackToAYearAhead() {
        Instant before = Instant.now();
        X509Certificate c = NodeCertificate.create(node).certificate();
        assertThat(c.getNotBefore().toInstant()).isBetween(before.minus(Duration.ofMinutes(61)), before.minus(Duration.ofMinutes(59)));
        assertThat(c.getNotAfter().toInstant()).isAfter(before.plus(Duration.ofDays(364)));
    }

    @Test
    void wrongExpectedKeyIsRejected() {
        NodeCertificate c = NodeCertificate.create(node);
        PrivateKey other = PrivateKey.generate();
        assertThatThrownBy(() -> NodeCertificate.verify(List.of(c.certificate()), other.publicKey()))
                .isInstanceOf(ProtocolViolationException.class)
                .hasMessageContaining("reached node " + node.publicKey().hex())
                .hasMessageContaining("expected " + other.publicKey().hex());
    }

    @Test
    void expiredAndNotYetValidCertificatesAreRejected() {
        Instant now = Instant.now();
        NodeCertificate expired = NodeCertificate.create(node, now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)));
        NodeCertificate future = NodeCertificate.create(node, now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(2)));
        assertThatThrownBy(() -> NodeCertificate.verify(List.of(expired.certificate())))
                .isInstanceOf(ProtocolViolationException.class).hasMessageContaining("not valid now");
        assertThatThrownBy(() -> NodeCertificate.verify(List.of(future.certificate())))
                .isInstanceOf(ProtocolViolationException.class).hasMessageContaining("not valid now");
        // the same certificate verifies at an instant inside its period
        assertThat(NodeCertificate.verify(List.of(expired.certificate()), now.minus(Duration.ofHours(36))))
                .isEqualTo(node.publicKey());
    }

    @Test
    void chainsOfOtherThanOneCertificateAreRejected() {
        NodeCertificate a = NodeCertificate.create(node);
        NodeCertificate b = NodeCertificate.create(node);
        assertThatThrownBy(() -> NodeCertificate.verify(List.of(a.certificate(), b.certificate())))
                .isInstanceOf(ProtocolViolationException.class).hasMessageContaining("exactly one");
        assertThatThrownBy(() -> NodeCertificate.verify(List.of()))
                .isInstanceOf(ProtocolViolationException.class).hasMessageContaining("exactly one");
    }

    @Test
    void extensionSignedForAnotherTlsKeyIsRejected() {
        // the node key signed key pair A's SPKI, but the certificate carries key pair B
        KeyPair a = NodeCertificate.newKeyPair();
        KeyPair b = NodeCertificate.newKeyPair();
        byte[] sig = node.sign(NodeCertificate.signedMessage(a.getPublic().getEncoded())).bytes();
        byte[] ext = NodeCertificate.identityExtension(node.publicKey().bytes(), sig);
        NodeCertificate forged = NodeCertificate.createWithExtension(node.publicKey(), b, ext, false);
        assertThatThrownBy(() -> NodeCertificate.verify(List.of(forged.certificate())))
                .isInstanceOf(ProtocolViolationException.class).hasMessageContaining("does not verify");
    }

    @Test
    void extensionClaimingAnotherNodeIsRejected() {
        // an attacker signs with its own key but claims the victim's node id
        PrivateKey attacker = PrivateKey.generate();
        KeyPair kp = NodeCertificate.newKeyPair();
        byte[] sig = attacker.sign(NodeCertificate.signedMessage(kp.getPublic().getEncoded())).bytes();
        byte[] ext = NodeCertificate.identityExtension(node.publicKey().bytes(), sig);
        NodeCertificate forged = NodeCertificate.createWithExtension(node.publicKey(), kp, ext, false);
        assertThatThrownBy(() -> NodeCertificate.verify(List.of(forged.certificate())))
                .isInstanceOf(ProtocolViolationException.class).hasMessageContaining("does not verify");
    }

    @Test
    void tamperedSignatureIsRejected() {
        KeyPair kp = NodeCertificate.newKeyPair();
        byte[] sig = node.sign(NodeCertificate.signedMessage(kp.getPublic().getEncoded())).bytes();
        sig[10] ^= 1;
        NodeCertificate forged = NodeCertificate.createWithExtension(node.publicKey(), kp,
                NodeCertificate.identityExtension(node.publicKey().bytes(), sig), false);
        assertThatThrownBy(() -> NodeCertificate.verify(List.of(forged.certificate())))
                .isInstanceOf(ProtocolViolationException.class);
    }

    @Test
    void malformedExtensionsAreRejected() {
        KeyPair kp = NodeCertificate.newKeyPair();
        byte[] sig = node.sign(NodeCertificate.signedMessage(kp.getPublic().getEncoded())).bytes();
        byte[] good = NodeCertificate.identityExtension(node.publicKey().bytes(), sig);
        byte[] shortKey = NodeCertificate.identityExtension(new byte[31], sig);
        byte[] shortSig = NodeCertificate.identityExtension(node.publicKey().bytes(), new byte[63]);
        byte[] notSequence = new byte[] {0x04, 0x01, 0x00};
        byte[] trailing = java.util.Arrays.copyOf(good, good.length + 1);
        byte[] garbage = new byte[] {(byte) 0xFF, 0x13};
        for (byte[] ext : List.of(shortKey, shortSig, notSequence, trailing, garbage)) {
            NodeCertificate c = NodeCertificate.createWithExtension(node.publicKey(), kp, ext, false);
            assertThatThrownBy(() -> NodeCertificate.verify(List.of(c.certificate())))
                    .isInstanceOf(ProtocolViolationException.class);
        }
        NodeCertificate critical = NodeCertificate.createWithExtension(node.publicKey(), kp, good, true);
        assertThatThrownBy(() -> NodeCertificate.verify(List.of(critical.certificate())))
                .isInstanceOf(ProtocolViolationException.class).hasMessageContaining("critical");
        // the well-formed one with the same key pair passes: the failures above are due to the tampering
        NodeCertificate ok = NodeCertificate.createWithExtension(node.publicKey(), kp, good, false);
        assertThat(NodeCertificate.verify(List.of(ok.certificate()))).isEqualTo(node.publicKey());
    }

    @Test
    void tamperedCertificateBytesAreRejected() throws Exception {
        NodeCertificate c = NodeCertificate.create(node);
        byte[] der = c.der();
        // flip a byte inside the identity extension's signature (the last 64 bytes before the outer signature)
        int at = indexOf(der, node.publicKey().bytes()) + 40;
        der[at] ^= 0x01;
        X509Certificate tampered = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(der));
        assertThatThrownBy(() -> NodeCertificate.verify(List.of(tampered)))
                .isInstanceOf(ProtocolViolationException.class).hasMessageContaining("self-signature");
    }

    @Test
    void certificateWithoutExtensionIsRejected() throws Exception {
        KeyPair kp = NodeCertificate.newKeyPair();
        org.bouncycastle.asn1.x500.X500Name n = new org.bouncycastle.asn1.x500.X500Name("CN=x");
        Instant now = Instant.now();
        var holder = new org.bouncycastle.cert.X509v3CertificateBuilder(n, java.math.BigInteger.TEN,
                java.util.Date.from(now.minusSeconds(60)), java.util.Date.from(now.plusSeconds(600)), n,
                org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(kp.getPublic().getEncoded()))
                .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()));
        X509Certificate plain = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(holder);
        assertThatThrownBy(() -> NodeCertificate.verify(List.of(plain)))
                .isInstanceOf(ProtocolViolationException.class).hasMessageContaining("not a Pando node");
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
