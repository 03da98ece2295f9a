package dev.pando.architecture;

import java.util.List;
import java.util.function.Function;

/**
 * A rule over module descriptors and module contents (checked with {@code java.lang.module}, not
 * ArchUnit). {@link #check} fails with every violation listed, the way an ArchUnit rule does.
 */
final class DescriptorRule {

    private final String description;
    private final Function<PandoModules, List<String>> violations;

    DescriptorRule(String description, Function<PandoModules, List<String>> violations) {
        this.description = description;
        this.violations = violations;
    }

    String description() {
        return description;
    }

    List<String> violations(PandoModules modules) {
        return List.copyOf(violations.apply(modules));
    }

    void check(PandoModules modules) {
        List<String> found = violations(modules);
        if (!found.isEmpty()) {
            throw new AssertionError("Rule '" + description + "' was violated (" + found.size()
                    + " times):\n" + String.join("\n", found));
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
