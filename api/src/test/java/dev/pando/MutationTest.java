package dev.pando;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Flips, inserts and drops bytes of valid headers: every mutant must be either rejected with a
 * typed {@link InvalidOperationException} or be exactly the original (a mutant that still
 * verifies would be a forgery). Never another exception, never a hang.
 */
class MutationTest {
    static final int CASES = 120_000;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void mutantsAreRejectedWithTypedErrors() {
        PrivateKey key = PrivateKey.fromHex("f47b55d7a1cc5ee3effd80a4e4a0c33112317d0432da9de6ae019ae7e78e16aa");
        byte[] body = "the payload of a mutated operation".getBytes(StandardCharsets.UTF_8);
        Operation first = Operation.builder(key).timestamp(0).build();
        List<Operation> seeds = List.of(
                first,
                Operation.builder(key).after(first).timestamp(7).body(body).build(),
                Operation.builder(key).seqNum(300).backlink(first.id()).previous(List.of(first.id(), Hash.of(body)))
                        .logId(LogId.of(new byte[] {1, 2, 3})).prune(true).timestamp(Long.MAX_VALUE)
                        .extension("app", CborValue.array(CborValue.of(1), CborValue.of("x"))).body(body).build());
        SplittableRandom random = new SplittableRandom(20261125L);
        Map<OperationError, Integer> kinds = new EnumMap<>(OperationError.class);
        int accepted = 0;
        for (int i = 0; i < CASES; i++) {
            Operation seed = seeds.get(i % seeds.size());
            byte[] original = seed.headerBytes();
            byte[] mutant = mutate(original, random);
            byte[] withBody = seed.body().map(Body::bytes).orElse(null);
            try {
                Operation op = Operation.decodeAndValidate(mutant, withBody);
                assertThat(op.headerBytes()).as("a mutant passed validation").isEqualTo(original);
                accepted++;
            } catch (InvalidOperationException e) {
                kinds.merge(e.kind(), 1, Integer::sum);
            } catch (RuntimeException | Error e) {
                fail("mutant " + java.util.HexFormat.of().formatHex(mutant) + " threw " + e, e);
            }
        }
        int rejected = kinds.values().stream().mapToInt(Integer::intValue).sum();
        assertThat(accepted + rejected).isEqualTo(CASES);
        // the mutations reach decoding and the signature check alike
        assertThat(kinds).containsKeys(OperationError.DECODE, OperationError.SIGNATURE_MISMATCH);
    }

    static byte[] mutate(byte[] in, SplittableRandom random) {
        int rounds = 1 + (random.nextInt(4) == 0 ? random.nextInt(3) : 0);
        byte[] b = in;
        for (int r = 0; r < rounds; r++) {
            int pos = random.nextInt(b.length);
            switch (random.nextInt(4)) {
                case 0: { // flip one bit
                    b = b.clone();
                    b[pos] ^= (byte) (1 << random.nextInt(8));
                    break;
                }
                case 1: { // replace a byte
                    b = b.clone();
                    b[pos] = (byte) random.nextInt(256);
                    break;
                }
                case 2: { // insert a byte
                    byte[] out = new byte[b.length + 1];
                    System.arraycopy(b, 0, out, 0, pos);
                    out[pos] = (byte) random.nextInt(256);
                    System.arraycopy(b, pos, out, pos + 1, b.length - pos);
                    b = out;
                    break;
                }
                default: { // drop a byte
                    if (b.length <= 1) {
                        break;
                    }
                    byte[] out = new byte[b.length - 1];
                    System.arraycopy(b, 0, out, 0, pos);
                    System.arraycopy(b, pos + 1, out, pos, b.length - pos - 1);
                    b = out;
                }
            }
        }
        return b;
    }
}
