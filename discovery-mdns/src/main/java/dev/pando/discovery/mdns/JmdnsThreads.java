package dev.pando.discovery.mdns;

import java.lang.reflect.Field;
import java.util.Timer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.jmdns.JmDNS;
import javax.jmdns.impl.DNSTaskStarter;
import javax.jmdns.impl.JmDNSImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes jmdns 3.6.5's two non-daemon threads daemons, so that a {@code JmDNS} nobody closed cannot
 * keep the JVM alive: the "State.Timer" of its task starter ({@code new StarterTimer(name, false)})
 * and the single-thread executor that calls listeners ({@code Executors.defaultThreadFactory()}).
 *
 * <p>The timer is replaced through jmdns's own hook, {@link DNSTaskStarter.Factory#setClassDelegate}
 * (JVM-wide: every {@code JmDNS} made afterwards in this JVM gets a daemon state timer, its only
 * effect), before anything is scheduled on it. jmdns offers no hook for the executor, so it is
 * swapped by reflection right after {@code JmDNS.create}, before any listener is added; jmdns is an
 * automatic module, which opens its packages. {@code MdnsNamespaceTest} fails if a jmdns upgrade
 * moves these fields (it counts non-daemon jmdns threads, and lets a JVM end with a discovery open).
 */
final class JmdnsThreads {
    private static final Logger LOG = LoggerFactory.getLogger(JmdnsThreads.class);
    private static final AtomicInteger EXECUTORS = new AtomicInteger();

    private JmdnsThreads() {
    }

    /** Installs the daemon timers for every {@code JmDNS} made from now on, unless someone else hooked jmdns. */
    static synchronized boolean installDaemonTimers() {
        DNSTaskStarter.Factory.ClassDelegate current = DNSTaskStarter.Factory.classDelegate();
        if (current instanceof DaemonStarters) {
            return true;
        }
        if (current != null) {
            LOG.warn("jmdns' task starter is already customised by {}; its state timer thread stays a non-daemon:"
                    + " close every mdns discovery before the JVM is to exit", current.getClass().getName());
            return false;
        }
        DNSTaskStarter.Factory.setClassDelegate(new DaemonStarters());
        return true;
    }

    /**
     * Replaces the listener executor of a fresh {@code JmDNS} by one with a daemon thread. Returns
     * whether it could (it cannot if jmdns's fields changed; the instance then works as before).
     */
    static boolean daemonExecutor(JmDNS jmdns) {
        try {
            Field field = JmDNSImpl.class.getDeclaredField("_executor");
            field.setAccessible(true);
            ExecutorService old = (ExecutorService) field.get(jmdns);
            String name = "JmDNS(" + jmdns.getName() + ").Executor-" + EXECUTORS.incrementAndGet();
            field.set(jmdns, Executors.newSingleThreadExecutor(task -> {
                Thread t = new Thread(task, name);
                t.setDaemon(true);
                return t;
            }));
            old.shutdown();
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("could not make jmdns' listener thread a daemon ({}): close every mdns discovery before the JVM is to exit",
                    e.toString());
            return false;
        }
    }

    /** jmdns's own task starter with its state timer swapped for a daemon one before first use. */
    private static final class DaemonStarters implements DNSTaskStarter.Factory.ClassDelegate {
        @Override
        public DNSTaskStarter newDNSTaskStarter(JmDNSImpl jmdns) {
            DNSTaskStarter.DNSTaskStarterImpl starter = new DNSTaskStarter.DNSTaskStarterImpl(jmdns);
            try {
                Field field = DNSTaskStarter.DNSTaskStarterImpl.class.getDeclaredField("_stateTimer");
                field.setAccessible(true);
                Timer old = (Timer) field.get(starter);
                field.set(starter, new DNSTaskStarter.DNSTaskStarterImpl.StarterTimer("JmDNS(" + jmdns.getName() + ").State.Timer", true));
                old.cancel();
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.warn("could not make jmdns' state timer a daemon ({}): close every mdns discovery before the JVM is to exit",
                        e.toString());
            }
            return starter;
        }
    }
}
