package dev.pando.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler that reports the CPU time JMH's worker threads spent per operation
 * ({@value #LABEL}, ns/op). On a machine other processes also load, wall-clock throughput counts
 * the time a worker waits for a core; CPU time does not, so ratios of CPU times stay meaningful
 * where ratios of throughputs drift with the load. JIT and GC threads are not counted.
 * Instantiated by JMH in the forked VM, hence public.
 */
public final class CpuTimeProfiler implements InternalProfiler {
    static final String LABEL = "cpu.time";
    private static final String WORKER_MARK = "-jmh-worker-";

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private Map<Long, Long> startCpu = Map.of();

    public CpuTimeProfiler() {
        if (threads.isThreadCpuTimeSupported() && !threads.isThreadCpuTimeEnabled()) {
            threads.setThreadCpuTimeEnabled(true);
        }
    }

    @Override
    public String getDescription() {
        return "CPU time of the benchmark's worker threads per operation";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        startCpu = workerCpuTimes();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams,
            IterationParams iterationParams, IterationResult result) {
        long ops = result.getMetadata().getAllOps();
        if (!threads.isThreadCpuTimeSupported() || ops <= 0) {
            return List.of();
        }
        long cpu = 0;
        for (Map.Entry<Long, Long> e : workerCpuTimes().entrySet()) {
            // a worker started during this iteration has spent all its CPU time in it
            cpu += e.getValue() - startCpu.getOrDefault(e.getKey(), 0L);
        }
        return List.of(new ScalarResult(LABEL, (double) cpu / ops, "ns/op", AggregationPolicy.AVG));
    }

    private Map<Long, Long> workerCpuTimes() {
        Map<Long, Long> out = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().contains(WORKER_MARK)) {
                long cpu = threads.getThreadCpuTime(info.getThreadId());
                if (cpu >= 0) {
                    out.put(info.getThreadId(), cpu);
                }
            }
        }
        return out;
    }
}
