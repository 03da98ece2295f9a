package dev.pando.transport.quic.core;

import dev.pando.PrivateKey;
import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import dev.pando.Signature;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A node's TLS identity for QUIC transports: a fresh EC P-256 key pair and a self-signed X.509 v3
 * certificate that binds it to the node's Ed25519 key (WIRE.md, section 2; the
 * approach of the libp2p TLS handshake specification).
 *
 * <p>The certificate carries a non-critical extension {@link #IDENTITY_EXTENSION_OID} whose value
 * is the DER {@code SEQUENCE { OCTET STRING nodePublicKey (32), OCTET STRING signature (64) }};
 * the signature is the node key's Ed25519 signature over {@code "pando-tls-identity:"} followed by
 * the DER SubjectPublicKeyInfo of the certificate's own key. A verifier that accepts the
 * certificate therefore knows the TLS peer holds both the TLS key (proven by TLS) and the node key.
 *
 * <p>Instances are immutable and thread-safe. Creating one does no I/O.
 */
public final class NodeCertificate {
    /** The identity extension's OID (UUID-derived, {@code 2.25.<uuid as integer>}). */
    public static final String IDENTITY_EXTENSION_OID = "2.25.166725131347612470541785396302442766418";

    /** The prefix of the message the node key signs in the identity extension. */
    static final byte[] SIGNATURE_PREFIX = "pando-tls-identity:".getBytes(StandardCharsets.US_ASCII);

    private static final ASN1ObjectIdentifier OID = new ASN1ObjectIdentifier(IDENTITY_EXTENSION_OID);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration BACKDATE = Duration.ofHours(1);
    private static final Duration LIFETIME = Duration.ofDays(365);

    private final PublicKey nodeId;
    private final KeyPair keyPair;
    private final X509Certificate certificate;
    private final byte[] der;

    private NodeCertificate(PublicKey nodeId, KeyPair keyPair, X509Certificate certificate, byte[] der) {
        this.nodeId = nodeId;
        this.keyPair = keyPair;
        this.certificate = certificate;
        this.der = der;
    }

    /** A fresh TLS key pair and certificate for {@code identity}, valid from now − 1 h to now + 1 year. */
    public static NodeCertificate create(PrivateKey identity) {
        Instant now = Instant.now();
        return create(identity, now.minus(BACKDATE), now.plus(LIFETIME));
    }

    /** For tests: a certificate with the given validity period. */
    static NodeCertificate create(PrivateKey identity, Instant notBefore, Instant notAfter) {
        KeyPair keyPair = newKeyPair();
        byte[] spki = keyPair.getPublic().getEncoded();
        byte[] extension = identityExtension(identity.publicKey().bytes(), identity.sign(signedMessage(spki)).bytes());
        return selfSign(identity.publicKey(), keyPair, notBefore, notAfter, extension, false);
    }

    /** For tests: a certificate whose extension value is exactly {@code extensionValue}. */
    static NodeCertificate createWithExtension(PublicKey claimed, KeyPair keyPair, byte[] extensionValue, boolean critical) {
        Instant now = Instant.now();
        return selfSign(claimed, keyPair, now.minus(BACKDATE), now.plus(LIFETIME), extensionValue, critical);
    }

    static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot make EC P-256 keys", e);
        }
    }

    static byte[] identityExtension(byte[] nodePublicKey, byte[] signature) {
        try {
            return new DERSequence(new ASN1Encodable[] {new DEROctetString(nodePublicKey), new DEROctetString(signature)})
                    .getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException("DER encoding of the identity extension failed", e);
        }
    }

    static byte[] signedMessage(byte[] subjectPublicKeyInfo) {
        byte[] m = Arrays.copyOf(SIGNATURE_PREFIX, SIGNATURE_PREFIX.length + subjectPublicKeyInfo.length);
        System.arraycopy(subjectPublicKeyInfo, 0, m, SIGNATURE_PREFIX.length, subjectPublicKeyInfo.length);
        return m;
    }

    private static NodeCertificate selfSign(PublicKey nodeId, KeyPair keyPair, Instant notBefore, Instant notAfter,
            byte[] extensionValue, boolean critical) {
        try {
            X500Name name = new X500Name("CN=pando");
            X509v3CertificateBuilder b = new X509v3CertificateBuilder(name, new BigInteger(128, RANDOM).add(BigInteger.ONE),
                    Date.from(notBefore), Date.from(notAfter), name,
                    SubjectPublicKeyInfo.getInstance(keyPair.getPublic().getEncoded()));
            b.addExtension(OID, critical, extensionValue);
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate());
            X509CertificateHolder holder = b.build(signer);
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(holder);
            return new NodeCertificate(nodeId, keyPair, cert, cert.getEncoded());
        } catch (IOException | OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("could not create the node's TLS certificate", e);
        }
    }

    /** The node id this certificate binds the TLS key to. */
    public PublicKey nodeId() {
        return nodeId;
    }

    /** The TLS key pair (EC P-256), for a {@code KeyManager} or key store. */
    public KeyPair keyPair() {
        return keyPair;
    }

    /** The self-signed certificate. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** The certificate's DER encoding (a copy). */
    public byte[] der() {
        return der.clone();
    }

    /** SHA-256 of the certificate's DER encoding, as bound into the client's proof of identity. */
    public byte[] sha256() {
        return sha256(der);
    }

    /** SHA-256 of a certificate's DER encoding. */
    public static byte[] sha256(byte[] certificateDer) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(certificateDer);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Verifies a peer's certificate chain and returns the node id it proves.
     *
     * @param chain the peer's chain as presented in TLS
     * @throws ProtocolViolationException unless the chain is exactly one certificate that is
     *         currently valid, correctly self-signed, and carries a well-formed identity extension
     *         whose Ed25519 signature verifies strictly
     */
    public static PublicKey verify(List<? extends Certificate> chain) {
        return verify(chain, Instant.now());
    }

    /** As {@link #verify(List)}, at the instant {@code now}. */
    public static PublicKey verify(List<? extends Certificate> chain, Instant now) {
        if (chain == null || chain.size() != 1) {
            throw new ProtocolViolationException("peer must present exactly one certificate, got "
                    + (chain == null ? 0 : chain.size()));
        }
        if (!(chain.get(0) instanceof X509Certificate cert)) {
            throw new ProtocolViolationException("peer certificate is not X.509");
        }
        try {
            cert.checkValidity(Date.from(now));
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            throw new ProtocolViolationException("peer certificate is not valid now: " + e.getMessage(), e);
        }
        try {
            cert.verify(cert.getPublicKey());
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new ProtocolViolationException("peer certificate's self-signature does not verify", e);
        }
        Set<String> critical = cert.getCriticalExtensionOIDs();
        if (critical != null && critical.contains(IDENTITY_EXTENSION_OID)) {
            throw new ProtocolViolationException("peer certificate marks the identity extension critical");
        }
        byte[] wrapped = cert.getExtensionValue(IDENTITY_EXTENSION_OID);
        if (wrapped == null) {
            throw new ProtocolViolationException("peer certificate has no Pando identity extension: not a Pando node");
        }
        byte[] nodeKey;
        byte[] signature;
        byte[] spki;
        try {
            byte[] value = ASN1OctetString.getInstance(ASN1Primitive.fromByteArray(wrapped)).getOctets();
            ASN1Primitive parsed = ASN1Primitive.fromByteArray(value);
            // only the one DER encoding is accepted: no trailing bytes, no BER variants
            if (!Arrays.equals(parsed.getEncoded(ASN1Encoding.DER), value)) {
                throw new ProtocolViolationException("identity extension is not canonical DER");
            }
            ASN1Sequence seq = ASN1Sequence.getInstance(parsed);
            if (seq.size() != 2) {
                throw new ProtocolViolationException("identity extension must hold two elements, got " + seq.size());
            }
            nodeKey = ASN1OctetString.getInstance(seq.getObjectAt(0)).getOctets();
            signature = ASN1OctetString.getInstance(seq.getObjectAt(1)).getOctets();
            spki = new X509CertificateHolder(cert.getEncoded()).getSubjectPublicKeyInfo().getEncoded(ASN1Encoding.DER);
        } catch (IOException | CertificateEncodingException | IllegalArgumentException | IllegalStateException e) {
            throw new ProtocolViolationException("identity extension is malformed", e);
        }
        if (nodeKey.length != PublicKey.LENGTH || signature.length != Signature.LENGTH) {
            throw new ProtocolViolationException("identity extension holds a key of " + nodeKey.length
                    + " bytes and a signature of " + signature.length + " bytes, expected 32 and 64");
        }
        PublicKey nodeId = PublicKey.fromBytes(nodeKey);
        if (!nodeId.verify(signedMessage(spki), Signature.fromBytes(signature))) {
            throw new ProtocolViolationException("identity extension's signature by node " + nodeId.hex() + " does not verify");
        }
        return nodeId;
    }

    /**
     * Verifies a peer's chain and checks that it proves {@code expected}.
     *
     * @throws ProtocolViolationException as {@link #verify(List)}, or "reached node X, expected Y"
     */
    public static PublicKey verify(List<? extends Certificate> chain, PublicKey expected) {
        PublicKey actual = verify(chain);
        if (!actual.equals(expected)) {
            throw new ProtocolViolationException("reached node " + actual.hex() + ", expected " + expected.hex());
        }
        return actual;
    }

    @Override
    public String toString() {
        return "NodeCertificate[node " + nodeId.hex() + ", serial " + certificate.getSerialNumber().toString(16) + "]";
    }
}
