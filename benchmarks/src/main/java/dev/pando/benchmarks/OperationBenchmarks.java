package dev.pando.benchmarks;

import dev.pando.Hash;
import dev.pando.Header;
import dev.pando.Operation;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.digests.Blake3Digest;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The core's hot paths, each next to the raw library call it wraps, in one JMH run so the ratios
 * compare like with like. Method names are the names of the figures {@link MicroBenchmarks}
 * prints ({@code RESULT <method> <ops/s> ops/s}), hence snake case. Every method returns its
 * result so JMH consumes it and the JIT cannot drop the work.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class OperationBenchmarks {
    private OperationFixture f;

    @Setup
    public void setUp() {
        f = new OperationFixture();
    }

    /** The unsigned and the signed header bytes, as building an operation encodes them. */
    @Benchmark
    public byte[][] header_encode() {
        var extensions = f.extensions();
        byte[] unsigned = f.encodeHeader(extensions, null);
        byte[] signed = f.encodeHeader(extensions, f.signature);
        return new byte[][] {unsigned, signed};
    }

    /** Strict decode of the signed header (copies the input, parses, keeps the bytes). */
    @Benchmark
    public Header header_decode() {
        return Header.decode(f.headerBytes);
    }

    /** The operation id: BLAKE3 of the signed header bytes. */
    @Benchmark
    public Hash id_hash() {
        return Hash.of(f.headerBytes);
    }

    /** Baseline of {@link #id_hash}: BouncyCastle's BLAKE3 over the same bytes. */
    @Benchmark
    public byte[] raw_blake3_header() {
        Blake3Digest digest = new Blake3Digest(256);
        digest.update(f.headerBytes, 0, f.headerBytes.length);
        byte[] out = new byte[32];
        digest.doFinal(out, 0);
        return out;
    }

    /** BLAKE3 of the 200-byte body: creating hashes it twice (payload_hash, rule 5), validating once. */
    @Benchmark
    public Hash body_hash() {
        return Hash.of(f.body);
    }

    /** Creating an operation: builder, body hash, header encodings, signing, rules 2–5, id. */
    @Benchmark
    public Operation create_op_200b() {
        return f.build();
    }

    /** Baseline of {@link #create_op_200b}: Ed25519 over the same unsigned bytes, public key passed in. */
    @Benchmark
    public byte[] raw_ed25519_sign() {
        byte[] sig = new byte[64];
        Ed25519.sign(f.seed, 0, f.publicKey, 0, f.unsignedBytes, 0, f.unsignedBytes.length, sig, 0);
        return sig;
    }

    /** Full validation of a received operation with its 200-byte body: decode, rules 1–5, id. */
    @Benchmark
    public Operation validate_op_200b() {
        return Operation.decodeAndValidate(f.headerBytes, f.body);
    }

    /** Only the api's strict signature check (small-order and canonical-S checks, then verify). */
    @Benchmark
    public boolean verify_strict() {
        return f.author.verify(f.unsignedBytes, f.signatureValue);
    }

    /** Baseline of {@link #validate_op_200b}: Ed25519 verification of the same unsigned bytes. */
    @Benchmark
    public boolean raw_ed25519_verify() {
        return Ed25519.verify(f.signature, 0, f.publicKey, 0, f.unsignedBytes, 0, f.unsignedBytes.length);
    }
}
