package dev.pando.architecture;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * What a Pando module is for, derived from its JPMS name; the dependency rule of docs/ARCHITECTURE.md
 * is a table over these roles. Deriving the role from the name (instead of listing today's modules)
 * makes every module added later a {@link #PLUGIN} by default, which is the strictest role.
 */
enum ModuleRole {
    /** {@code dev.pando.api}: value types and SPIs; depends on no other Pando module. */
    API,
    /** {@code dev.pando.node}: the engine; depends on api only and loads plugins by ServiceLoader. */
    NODE,
    /**
     * {@code dev.pando.testkit} (contract suites) and {@code dev.pando.testkit.support} (its
     * JUnit-free part: in-memory network, clock, relay, test operations): may use api, node and
     * each other, never a plugin.
     */
    TESTKIT,
    /** {@code dev.pando.examples}: wires plugins together (the {@code pando} command line). */
    EXAMPLES,
    /** {@code dev.pando.benchmarks}: wires plugins together and compares with raw libraries. */
    BENCHMARKS,
    /**
     * A shared implementation that several plugins build on (the QUIC wire in
     * {@code dev.pando.transport.quic.core}): depends on api only, may be used by plugins (and by
     * examples and benchmarks), never by api, node or testkit, and is no plugin itself (rule 8).
     * Listed by name in {@link #SHARED_IMPLEMENTATIONS}, deliberately: a new module is a plugin.
     */
    SHARED,
    /** Every other {@code dev.pando.*} module: a store, transport, discovery, sync or gossip plugin. */
    PLUGIN;

    /** The modules with role {@link #SHARED}. Add one here only for code that several plugins share. */
    static final Set<String> SHARED_IMPLEMENTATIONS = Set.of("dev.pando.transport.quic.core");

    /**
     * Plugins that run on another plugin's engine: plugin → the plugins it may use. The engine
     * plugin exports its package to exactly these users with a qualified export (rule 6), so no
     * other module sees it. The relay transport runs quic-netty's QUIC over relayed datagrams: one
     * QUIC engine, not two (moving the engine into a shared module would move quic-netty whole,
     * provider and all, and a shared module may not provide a service). Add an entry deliberately.
     */
    static final Map<String, Set<String>> PLUGIN_ENGINES = Map.of(
            "dev.pando.transport.relay", Set.of("dev.pando.transport.quic.netty"));

    /** Whether module {@code origin} may use module {@code target}: by role, or as a listed engine. */
    static boolean allows(String origin, String target) {
        return of(origin).mayUse(target)
                || (of(origin) == PLUGIN && PLUGIN_ENGINES.getOrDefault(origin, Set.of()).contains(target));
    }

    static ModuleRole of(String moduleName) {
        switch (moduleName) {
            case "dev.pando.api": return API;
            case "dev.pando.node": return NODE;
            case "dev.pando.testkit":
            case "dev.pando.testkit.support": return TESTKIT;
            case "dev.pando.examples": return EXAMPLES;
            case "dev.pando.benchmarks": return BENCHMARKS;
            default: return SHARED_IMPLEMENTATIONS.contains(moduleName) ? SHARED : PLUGIN;
        }
    }

    /** The roles whose modules a module of this role may use (besides itself). */
    Set<ModuleRole> mayUse() {
        switch (this) {
            case API: return EnumSet.noneOf(ModuleRole.class);
            case NODE:
            case SHARED: return EnumSet.of(API);
            case PLUGIN: return EnumSet.of(API, SHARED);
            case TESTKIT: return EnumSet.of(API, NODE, TESTKIT);
            case EXAMPLES:
            case BENCHMARKS: return EnumSet.allOf(ModuleRole.class);
            default: throw new IllegalStateException(name());
        }
    }

    boolean mayUse(String otherModule) {
        return mayUse().contains(of(otherModule));
    }
}
