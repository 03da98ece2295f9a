package dev.pando;

import java.util.Random;
import java.util.function.Consumer;

/**
 * Property checks over seeded random inputs, with plain JUnit 5: runs a trial a number of times,
 * each with its own {@link Random}, and when one fails names its seed so that it can be replayed.
 *
 * <pre>{@code
 * @Test
 * void encodeDecodeRoundTrips() {
 *     Trials.run(1000, random -> {
 *         CborValue value = randomValue(random);
 *         assertThat(decode(encode(value))).isEqualTo(value);
 *     });
 * }
 * }</pre>
 *
 * <p>The same as the testkit's {@code dev.pando.testkit.Trials}, copied because the testkit
 * depends on this module. Each run starts from a fresh random base seed (so repeated builds explore new inputs), or
 * from the system property {@value #SEED_PROPERTY}; trial {@code i} uses the seed base + i. A
 * failure is rethrown as an {@link AssertionError} whose message names the trial and its seed, with
 * the original failure as its cause; {@code -Dpando.test.seed=<that seed>} makes the failing case
 * the first trial of the next run ({@code mvn … -Dtest=TheTest -Dpando.test.seed=…}).
 */
final class Trials {
    /** The system property that fixes the base seed. */
    static final String SEED_PROPERTY = "pando.test.seed";

    private Trials() {
    }

    /**
     * Runs {@code trial} {@code tries} times, each with a {@link Random} seeded from the trial's
     * seed.
     *
     * @throws AssertionError naming the seed of the first trial that failed
     */
    static void run(int tries, Consumer<Random> trial) {
        if (tries < 1) {
            throw new IllegalArgumentException("tries must be at least 1, got " + tries);
        }
        long base = baseSeed();
        for (int i = 0; i < tries; i++) {
            long seed = base + i;
            try {
                trial.accept(random(seed));
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("trial " + (i + 1) + " of " + tries + " failed with seed " + seed
                        + " (replay it first with -D" + SEED_PROPERTY + "=" + seed + "): " + e.getMessage(), e);
            }
        }
    }

    /** The {@link Random} a trial with this seed gets. */
    static Random random(long seed) {
        // SplitMix64's finaliser: neighbouring seeds give unrelated generators (java.util.Random's
        // own scrambling leaves their first outputs correlated)
        long z = seed + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return new Random(z ^ (z >>> 31));
    }

    private static long baseSeed() {
        String fixed = System.getProperty(SEED_PROPERTY);
        if (fixed == null || fixed.isBlank()) {
            return new java.security.SecureRandom().nextLong();
        }
        try {
            return Long.parseLong(fixed.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + SEED_PROPERTY + " must be a long, got \"" + fixed + "\"", e);
        }
    }
}
