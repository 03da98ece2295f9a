package dev.pando.transport.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.pando.DeadlineExceededException;
import dev.pando.spi.DuplexStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A relay serving TLS (an https relay URL): nodes that trust its certificate talk through it; others cannot connect. */
@Timeout(120)
class RelayTlsTest {
    @TempDir
    Path dir;

    @Test
    void nodesTalkThroughATlsRelayTheyTrustAndNotThroughOneTheyDoNot() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("EC").generateKeyPair();
        X500Name name = new X500Name("CN=127.0.0.1");
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
                BigInteger.valueOf(System.nanoTime()), Date.from(Instant.now().minusSeconds(60)),
                Date.from(Instant.now().plus(Duration.ofDays(1))), name, pair.getPublic())
                .addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        Path certFile = dir.resolve("cert.pem");
        Path keyFile = dir.resolve("key.pem");
        Files.writeString(certFile, pem(cert));
        Files.writeString(keyFile, pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(pair.getPrivate(), null).generate()));

        try (TestRelay relay = new TestRelay(RelayServerConfig.defaults()
                .withBind(new InetSocketAddress("127.0.0.1", 0))
                .withTls(new RelayServerConfig.Tls(certFile, keyFile)));
             RelayNodes nodes = new RelayNodes()) {
            assertThat(relay.url()).startsWith("https://127.0.0.1:");
            RelayNodes.Node a = nodes.start(relay.url(), "relay_ca_file", certFile.toString());
            RelayNodes.Node b = nodes.start(relay.url(), "relay_ca_file", certFile.toString());
            DuplexStream s = a.transport.dial(b.transport.localAddress(), RelayNodes.RECORD).join().openStream().join();
            assertThat(RelayNodes.roundTrip(s, "over tls".getBytes(StandardCharsets.UTF_8)))
                    .asString(StandardCharsets.UTF_8).isEqualTo("over tls");
            assertThat(relay.server.metrics().clients()).isEqualTo(2);

            // a node that does not trust the certificate never gets onto the relay
            RelayNodes.Node stranger = nodes.start(relay.url(), "handshake_timeout", "1s");
            assertThat(relay.server.metrics().clients()).isEqualTo(2);
            Throwable t = catchThrowable(() -> stranger.transport.dial(b.transport.localAddress(), RelayNodes.RECORD).join());
            assertThat(t).hasCauseInstanceOf(DeadlineExceededException.class);
        }
    }

    private static String pem(Object o) throws Exception {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(o);
        }
        return w.toString();
    }
}
