package dev.pando.architecture;

import com.tngtech.archunit.core.domain.JavaClass;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The Pando modules the rules are checked against, and the map from a class to its module.
 *
 * <p>The real layout is discovered from the test class path: every jar or classes directory that
 * holds classes in {@code dev.pando} or below, or whose module-info names a {@code dev.pando.*}
 * module, is one Pando module. A class belongs to the module whose location holds its package
 * (JPMS forbids split packages, so the package decides).
 */
final class PandoModules {

    private static final String MODULE_INFO = "module-info.class";
    private static final String SERVICES = "META-INF/services/";

    private final List<PandoModule> modules;
    private final Map<String, PandoModule> byPackage;

    private PandoModules(List<PandoModule> modules) {
        this.modules = List.copyOf(modules);
        Map<String, PandoModule> packages = new HashMap<>();
        for (PandoModule module : modules) {
            // first one wins; duplicates are reported by PandoArchitecture.uniqueModulesAndPackages
            module.packages().forEach(p -> packages.putIfAbsent(p, module));
        }
        this.byPackage = Map.copyOf(packages);
    }

    static PandoModules of(PandoModule... modules) {
        return new PandoModules(List.of(modules));
    }

    /**
     * Scans this JVM's class path, leaving out the location of the architecture tests themselves
     * (their fixtures live in {@code dev.pando.architecture.fixture} and are no Pando module).
     */
    static PandoModules fromClassPath() {
        Path self = ownLocation();
        List<Path> entries = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(s -> !s.isBlank())
                .map(s -> Path.of(s).toAbsolutePath().normalize())
                .filter(p -> !p.equals(self))
                .collect(Collectors.toList());
        return scan(entries);
    }

    /** Reads each class path entry (jar or directory) and keeps those that are Pando modules. */
    static PandoModules scan(List<Path> classPathEntries) {
        List<PandoModule> found = new ArrayList<>();
        for (Path entry : classPathEntries) {
            if (Files.isDirectory(entry)) {
                readDirectory(entry).ifPresent(found::add);
            } else if (Files.isRegularFile(entry) && entry.toString().endsWith(".jar")) {
                readJar(entry).ifPresent(found::add);
            }
        }
        return new PandoModules(found);
    }

    List<PandoModule> all() {
        return modules;
    }

    Optional<PandoModule> named(String name) {
        return modules.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    Optional<PandoModule> ofPackage(String packageName) {
        return Optional.ofNullable(byPackage.get(packageName));
    }

    /** The module of a class; arrays belong to their element type's module, primitives to none. */
    Optional<PandoModule> of(JavaClass javaClass) {
        JavaClass base = javaClass.getBaseComponentType();
        if (base.isPrimitive()) {
            return Optional.empty();
        }
        return ofPackage(base.getPackageName());
    }

    /** Jars and directories of the modules, for the ArchUnit importer. */
    List<Path> locations() {
        return modules.stream().flatMap(m -> m.location().stream()).collect(Collectors.toList());
    }

    /**
     * The {@code META-INF/services} files at a location: service interface name to the provider
     * class names listed, in file order, without comments and blank lines.
     */
    static Map<String, List<String>> serviceFiles(Path location) {
        Map<String, List<String>> files = new TreeMap<>();
        try {
            if (Files.isDirectory(location)) {
                Path dir = location.resolve(SERVICES);
                if (Files.isDirectory(dir)) {
                    try (Stream<Path> list = Files.list(dir)) {
                        for (Path file : list.filter(Files::isRegularFile).collect(Collectors.toList())) {
                            files.put(file.getFileName().toString(),
                                    providerNames(Files.readString(file, StandardCharsets.UTF_8)));
                        }
                    }
                }
            } else {
                try (JarFile jar = new JarFile(location.toFile())) {
                    for (JarEntry entry : Collections.list(jar.entries())) {
                        String name = entry.getName();
                        if (!entry.isDirectory() && name.startsWith(SERVICES)
                                && name.indexOf('/', SERVICES.length()) < 0) {
                            try (InputStream in = jar.getInputStream(entry)) {
                                files.put(name.substring(SERVICES.length()),
                                        providerNames(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read service files of " + location, e);
        }
        return files;
    }

    // The ServiceLoader file format: one name per line, '#' starts a comment.
    private static List<String> providerNames(String content) {
        List<String> names = new ArrayList<>();
        for (String line : content.split("\n")) {
            int hash = line.indexOf('#');
            String name = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return names;
    }

    private static Optional<PandoModule> readDirectory(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            List<String> classFiles = files.filter(Files::isRegularFile)
                    .map(f -> dir.relativize(f).toString().replace(File.separatorChar, '/'))
                    .filter(n -> n.endsWith(".class"))
                    .collect(Collectors.toList());
            Path moduleInfo = dir.resolve(MODULE_INFO);
            Optional<byte[]> descriptorBytes = Files.isRegularFile(moduleInfo)
                    ? Optional.of(Files.readAllBytes(moduleInfo)) : Optional.empty();
            return toModule(dir, classFiles, descriptorBytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot scan " + dir, e);
        }
    }

    private static Optional<PandoModule> readJar(Path jarPath) {
        try (JarFile jar = new JarFile(jarPath.toFile())) {
            List<String> classFiles = jar.stream().map(JarEntry::getName)
                    .filter(n -> n.endsWith(".class"))
                    .collect(Collectors.toList());
            JarEntry moduleInfo = jar.getJarEntry(MODULE_INFO);
            Optional<byte[]> descriptorBytes = Optional.empty();
            if (moduleInfo != null) {
                try (InputStream in = jar.getInputStream(moduleInfo)) {
                    descriptorBytes = Optional.of(in.readAllBytes());
                }
            }
            return toModule(jarPath, classFiles, descriptorBytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot scan " + jarPath, e);
        }
    }

    private static Optional<PandoModule> toModule(Path location, List<String> classFiles,
                                                  Optional<byte[]> descriptorBytes) {
        Set<String> packages = new TreeSet<>();
        for (String file : classFiles) {
            // META-INF/versions/N/... of multi-release jars are versions of classes counted already
            int slash = file.lastIndexOf('/');
            if (!file.startsWith("META-INF/") && slash > 0 && !file.endsWith("/" + MODULE_INFO)) {
                packages.add(file.substring(0, slash).replace('/', '.'));
            }
        }
        if (descriptorBytes.isPresent()) {
            ModuleDescriptor descriptor = ModuleDescriptor.read(
                    ByteBuffer.wrap(descriptorBytes.get()), () -> packages);
            if (isPandoName(descriptor.name()) || packages.stream().anyMatch(PandoModules::isPandoPackage)) {
                // the class packages, not descriptor.packages(): a ModulePackages attribute written
                // by a jar tool also names resource-only directories, which hold no classes to map
                return Optional.of(new PandoModule(descriptor.name(), Optional.of(descriptor), packages,
                        Optional.of(location)));
            }
            return Optional.empty();
        }
        if (packages.stream().anyMatch(PandoModules::isPandoPackage)) {
            return Optional.of(PandoModule.withoutDescriptor(location, packages));
        }
        return Optional.empty();
    }

    static boolean isPandoName(String moduleName) {
        return moduleName.startsWith("dev.pando.");
    }

    static boolean isPandoPackage(String packageName) {
        return packageName.equals("dev.pando") || packageName.startsWith("dev.pando.");
    }

    /** The classes directory (or jar) of the architecture tests themselves. */
    static Path ownLocation() {
        try {
            return Path.of(PandoModules.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toAbsolutePath().normalize();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the architecture tests' own classes", e);
        }
    }

    @Override
    public String toString() {
        Map<String, Object> shown = new LinkedHashMap<>();
        modules.forEach(m -> shown.put(m.name(), m.location().map(Object::toString).orElse("(fixture)")));
        return shown.toString();
    }
}
