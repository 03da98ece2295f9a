package dev.pando.examples;

import dev.pando.ConfigurationException;
import dev.pando.node.ProviderRegistry;
import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolvedModule;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The plug-ins the {@code ./pando} launcher appended to the module path, checked for module names
 * that are already taken. The JVM uses the first module of a name on the module path and skips any
 * later one without a word, so a plug-in whose module is named like one of Pando's (say
 * {@code dev.pando.store.memory}), like a JDK module or like an earlier plug-in would simply be
 * missing, its providers with it. Here that is a {@link ConfigurationException} naming both jars.
 * A copy of the very module in use (same name, same recorded version, as when a plug-in's folder
 * also holds the {@code pando-api} jar it was built against) is harmless and passes.
 *
 * <p>The launcher names the plug-in entries (jars or directories of jars) in the system property
 * {@value #PROPERTY}, separated like a module path; without it (a hand-written {@code java -p}
 * line, or the tests) there is nothing to check.
 */
final class PluginModules {
    /** The system property in which the launcher lists the plug-in entries of the module path. */
    static final String PROPERTY = "pando.plugin.path";

    private PluginModules() {
    }

    /**
     * {@link ProviderRegistry#load()}, after checking that every plug-in module the launcher added
     * is the module of its name the JVM uses.
     *
     * @throws ConfigurationException if a plug-in's module name is taken by another module (naming
     *     both locations), or a plug-in entry cannot be read as modules
     */
    static ProviderRegistry registry() {
        String entries = System.getProperty(PROPERTY, "");
        if (!entries.isEmpty()) {
            requireOwnNames(entries, ModuleLayer.boot().configuration());
        }
        return ProviderRegistry.load();
    }

    /**
     * Checks the modules found in the given plug-in entries against the modules actually resolved.
     *
     * @param entries the plug-in entries, separated by {@link File#pathSeparator}
     * @param resolved the configuration the JVM resolved (the boot layer's)
     * @throws ConfigurationException if a plug-in module's name resolved to a module from elsewhere
     */
    static void requireOwnNames(String entries, Configuration resolved) {
        List<Path> plugins = new ArrayList<>();
        for (String entry : entries.split(File.pathSeparator, -1)) {
            if (!entry.isEmpty()) {
                plugins.add(Path.of(entry));
            }
        }
        List<String> clashes = new ArrayList<>();
        for (Path plugin : plugins) {
            List<ModuleReference> found;
            try {
                found = ModuleFinder.of(plugin).findAll().stream()
                        .sorted(Comparator.comparing((ModuleReference r) -> r.descriptor().name()))
                        .toList();
            } catch (FindException e) {
                throw new ConfigurationException("the plug-in " + plugin + " cannot be read as modules: " + e.getMessage(), e);
            }
            for (ModuleReference module : found) {
                String name = module.descriptor().name();
                Optional<ResolvedModule> used = resolved.findModule(name);
                if (used.isPresent() && !sameLocation(used.get().reference(), module) && !sameVersion(used.get().reference(), module)) {
                    clashes.add("the plug-in " + where(module) + " was not loaded: its module " + nameAndVersion(module)
                            + " is named like " + owner(used.get().reference(), plugins));
                }
            }
        }
        if (!clashes.isEmpty()) {
            throw new ConfigurationException(String.join("; ", clashes)
                    + " (the JVM uses the first module of a name; give the plug-in's module a name of its own, e.g. com.example.mystore)");
        }
    }

    /** Both modules record one version: copies of one module (a build without versions proves nothing). */
    private static boolean sameVersion(ModuleReference a, ModuleReference b) {
        Optional<String> version = a.descriptor().rawVersion();
        return version.isPresent() && version.equals(b.descriptor().rawVersion());
    }

    private static String nameAndVersion(ModuleReference module) {
        return module.descriptor().name() + module.descriptor().rawVersion().map(v -> "@" + v).orElse("");
    }

    private static boolean sameLocation(ModuleReference a, ModuleReference b) {
        return a.location().map(PluginModules::normalized).equals(b.location().map(PluginModules::normalized));
    }

    private static URI normalized(URI location) {
        return "file".equals(location.getScheme()) ? Path.of(location).toAbsolutePath().normalize().toUri() : location;
    }

    private static String where(ModuleReference module) {
        return module.location()
                .map(l -> "file".equals(l.getScheme()) ? Path.of(l).toString() : l.toString())
                .orElse("(no location)");
    }

    /** Who owns the module that was used: the JDK, another plug-in or Pando itself. */
    private static String owner(ModuleReference used, List<Path> plugins) {
        Optional<URI> location = used.location();
        if (location.isPresent() && "jrt".equals(location.get().getScheme())) {
            return "the JDK's module " + nameAndVersion(used);
        }
        if (location.isPresent() && "file".equals(location.get().getScheme())) {
            Path path = Path.of(location.get()).toAbsolutePath().normalize();
            for (Path plugin : plugins) {
                if (path.startsWith(plugin.toAbsolutePath().normalize())) {
                    return "the earlier plug-in " + path + " (" + nameAndVersion(used) + ")";
                }
            }
        }
        return "Pando's own module " + nameAndVersion(used) + " (" + where(used) + ")";
    }
}
