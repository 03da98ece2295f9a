package dev.pando.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH benchmarks of this module through JMH's Runner API and prints one
 * {@code RESULT <name> <value> <unit> ±<error>} line per figure: throughput in ops/s under the
 * benchmark's name, CPU time per operation in µs under {@code <name>_cpu} (see
 * {@link CpuTimeProfiler}); then the api-versus-raw ratios and overheads of {@link Comparison}, and
 * a {@code GOAL} verdict for each ratio that has a goal.
 *
 * <p>Usage: {@code MicroBenchmarks [--quick] [REGEX]}. REGEX selects benchmarks by JMH's rule (a
 * regex found anywhere in {@code <class>.<method>}); all run when it is omitted. {@code --quick}
 * shortens warm-up and measurement to check that everything runs; its figures are not worth keeping.
 * Iterations and forks otherwise come from the benchmark classes' annotations.
 */
public final class MicroBenchmarks {
    static final List<Comparison> COMPARISONS = List.of(
            new Comparison("validate_vs_raw_verify", "validate_op_200b", "raw_ed25519_verify", 1.15),
            new Comparison("create_vs_raw_sign", "create_op_200b", "raw_ed25519_sign", 1.15),
            new Comparison("verify_strict_vs_raw_verify", "verify_strict", "raw_ed25519_verify", Double.NaN),
            new Comparison("id_hash_vs_raw_blake3", "id_hash", "raw_blake3_header", Double.NaN));

    private MicroBenchmarks() {
    }

    public static void main(String[] args) {
        boolean quick = false;
        String filter = null;
        for (String arg : args) {
            if (arg.equals("--quick")) {
                quick = true;
            } else if (filter == null && !arg.startsWith("-")) {
                filter = arg;
            } else {
                System.err.println("usage: MicroBenchmarks [--quick] [REGEX]");
                System.exit(2);
            }
        }
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(filter == null ? MicroBenchmarks.class.getPackageName() + "\\." : filter)
                .addProfiler(CpuTimeProfiler.class)
                .shouldFailOnError(true);
        if (quick) {
            options.warmupIterations(1).warmupTime(TimeValue.milliseconds(200))
                    .measurementIterations(2).measurementTime(TimeValue.milliseconds(200));
        }
        Module module = MicroBenchmarks.class.getModule();
        String modulePath = System.getProperty("jdk.module.path");
        if (module.isNamed() && modulePath != null && !modulePath.isEmpty()) {
            // JMH starts its forked VM with -cp ${java.class.path} and the ForkedMain class name;
            // on the module path that class path is empty. Hand the fork our module path and
            // resolve this module (and through it jmh.core): the app class loader then finds
            // ForkedMain and the generated classes in their modules. JMH also copies our own JVM
            // arguments to the fork, but only while no JVM arguments are configured: don't rely on it.
            options.jvmArgsPrepend("--module-path", modulePath, "--add-modules", module.getName());
        }
        Collection<RunResult> results;
        try {
            results = new Runner(options.build()).run();
        } catch (NoBenchmarksException e) {
            System.err.println("no benchmark matches " + filter);
            System.exit(1);
            return;
        } catch (RunnerException e) {
            System.err.println("benchmarks failed: " + (e.getMessage() != null ? e.getMessage() : e));
            System.exit(1);
            return;
        }
        List<Figure> figures = new ArrayList<>();
        for (RunResult run : results) {
            String benchmark = run.getParams().getBenchmark();
            Result<?> primary = run.getPrimaryResult();
            String name = benchmark.substring(benchmark.lastIndexOf('.') + 1);
            figures.add(new Figure(name, primary.getScore(), primary.getScoreError(), primary.getScoreUnit()));
            Result<?> cpu = run.getSecondaryResults().get(CpuTimeProfiler.LABEL);
            if (cpu != null) {
                figures.add(new Figure(name + Comparison.CPU, cpu.getScore() / 1000, cpu.getScoreError() / 1000, "us/op"));
            }
        }
        System.out.println();
        report(figures).forEach(System.out::println);
    }

    /** The lines to print for the given figures: each figure, then ratios, overheads and goals. */
    static List<String> report(List<Figure> figures) {
        Map<String, Figure> byName = new LinkedHashMap<>();
        figures.forEach(f -> byName.put(f.name(), f));
        List<String> lines = new ArrayList<>();
        byName.values().forEach(f -> lines.add(f.line()));
        List<String> verdicts = new ArrayList<>();
        for (Comparison c : COMPARISONS) {
            List<Figure> derived = c.derive(byName);
            derived.forEach(f -> lines.add(f.line()));
            verdicts.addAll(c.verdicts(derived));
        }
        lines.addAll(verdicts);
        return lines;
    }
}
