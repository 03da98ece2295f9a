package dev.pando.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrialsTest {
    @Test
    void runsEveryTrialWithItsOwnGenerator() {
        List<Long> firsts = new ArrayList<>();
        Trials.run(50, random -> firsts.add(random.nextLong()));

        assertThat(firsts).hasSize(50).doesNotHaveDuplicates();
    }

    @Test
    void aFailureNamesItsSeedAndTheSeedPropertyReplaysItFirst() {
        List<Long> seen = new ArrayList<>();
        Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> Trials.run(1000, random -> {
            long v = random.nextLong();
            seen.add(v);
            assertThat(v % 7).as("a value divisible by 7").isNotZero();
        }));
        assertThat(failure).isInstanceOf(AssertionError.class).hasMessageContaining("failed with seed ")
                .hasMessageContaining("-D" + Trials.SEED_PROPERTY + "=").hasCauseInstanceOf(AssertionError.class);
        long seed = Long.parseLong(failure.getMessage().replaceAll("(?s).*failed with seed (-?\\d+).*", "$1"));
        long failing = seen.get(seen.size() - 1);

        assertThat(Trials.random(seed).nextLong()).isEqualTo(failing);
        String before = System.getProperty(Trials.SEED_PROPERTY);
        System.setProperty(Trials.SEED_PROPERTY, Long.toString(seed));
        try {
            List<Long> replayed = new ArrayList<>();
            Trials.run(1, random -> replayed.add(random.nextLong()));
            assertThat(replayed).containsExactly(failing);
        } finally {
            if (before == null) {
                System.clearProperty(Trials.SEED_PROPERTY);
            } else {
                System.setProperty(Trials.SEED_PROPERTY, before);
            }
        }
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> Trials.run(0, random -> { })).isInstanceOf(IllegalArgumentException.class);
    }
}
