package dev.pando.architecture;

import java.lang.module.ModuleDescriptor;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * One Pando module as found on the class path (or built by a test fixture).
 *
 * @param name        the JPMS name, or a description of the location when there is no module-info
 * @param descriptor  the explicit module descriptor; empty when the location has no module-info
 * @param packages    every package holding classes of this module
 * @param location    the jar or classes directory it came from; empty for pure fixtures
 */
record PandoModule(String name, Optional<ModuleDescriptor> descriptor, Set<String> packages,
                   Optional<Path> location) {

    PandoModule {
        packages = Set.copyOf(packages);
    }

    /** A module with a module-info read from {@code location}. */
    static PandoModule declared(ModuleDescriptor descriptor, Path location) {
        return new PandoModule(descriptor.name(), Optional.of(descriptor), descriptor.packages(),
                Optional.of(location));
    }

    /** A fixture module that exists only as a descriptor (no classes directory or jar). */
    static PandoModule fixture(ModuleDescriptor descriptor) {
        return new PandoModule(descriptor.name(), Optional.of(descriptor), descriptor.packages(),
                Optional.empty());
    }

    /** A location holding {@code dev.pando} classes but no module-info.class. */
    static PandoModule withoutDescriptor(Path location, Set<String> packages) {
        return new PandoModule("<no module-info.class in " + location + ">", Optional.empty(),
                packages, Optional.of(location));
    }

    ModuleRole role() {
        return ModuleRole.of(name);
    }

    @Override
    public String toString() {
        return name;
    }
}
