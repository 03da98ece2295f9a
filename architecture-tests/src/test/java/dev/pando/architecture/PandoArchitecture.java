package dev.pando.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static com.tngtech.archunit.library.modules.syntax.ModuleDependencyScope.consideringOnlyDependenciesBetweenModules;
import static com.tngtech.archunit.library.modules.syntax.ModuleRuleDefinition.modules;

import com.tngtech.archunit.base.DescribedFunction;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.PackageMatchers;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.library.modules.ArchModule;
import com.tngtech.archunit.library.modules.ModuleDependency;
import com.tngtech.archunit.library.modules.syntax.DescriptorFunction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Exports;
import java.lang.module.ModuleDescriptor.Provides;
import java.lang.module.ModuleDescriptor.Requires;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * Pando's architecture rules, in one place. Each instance binds the rules to one module layout:
 * {@link #of(PandoModules)} with the layout discovered from the class path for the real check,
 * or with a fixture layout to prove that each rule reports a violation. The rule definitions are
 * the same code in both cases.
 */
final class PandoArchitecture {

    /**
     * Plugins that have a public API of their own (e.g. a relay server that can run on its own)
     * and therefore may export exactly one package: module name to that package. Every other
     * plugin module exports nothing. Add an entry here, deliberately, when such a plugin arrives.
     */
    static final Map<String, String> PLUGINS_WITH_PUBLIC_API = Map.of(
            // the relay server runs on its own (pando relay): RelayServer, its config and metrics
            "dev.pando.transport.relay", "dev.pando.transport.relay");

    /** Library packages only their owning modules may touch (ArchUnit package patterns). */
    static final List<LibraryOwnership> LIBRARY_OWNERS = List.of(
            new LibraryOwnership("Netty and kwik (QUIC)", "the transport modules (dev.pando.transport.*)",
                    name -> name.startsWith("dev.pando.transport."), List.of("io.netty..", "tech.kwik..")),
            new LibraryOwnership("jmdns (mDNS)", "dev.pando.discovery.mdns",
                    "dev.pando.discovery.mdns"::equals, List.of("javax.jmdns..")),
            new LibraryOwnership("JDBC, HikariCP and sqlite-jdbc", "dev.pando.store.sqlite",
                    "dev.pando.store.sqlite"::equals,
                    List.of("java.sql..", "javax.sql..", "com.zaxxer.hikari..", "org.sqlite..")));

    /** Modules exempt from the library ownership rule: they measure Pando against raw libraries. */
    static final Set<String> LIBRARY_OWNERSHIP_EXEMPT = Set.of("dev.pando.benchmarks");

    private static final String ARCHITECTURE_TESTS_FOLDER = "architecture-tests";

    private final PandoModules modules;
    private final Map<String, String> pluginsWithPublicApi;

    /** Rule 1: api uses only itself, the JDK's java.* / javax.*, BouncyCastle and slf4j. */
    final ArchRule apiDependencies;
    /** Rule 2: plugins and node use only api among Pando modules; testkit never uses a plugin. */
    final ArchRule moduleDependencies;
    /** Rule 3: no cycles between packages, across all Pando modules. */
    final ArchRule noPackageCycles;
    /** Rule 4: one rule per entry of {@link #LIBRARY_OWNERS}. */
    final List<ArchRule> libraryOwnership;
    /** Rule 5: {@code provides S with P} and {@code META-INF/services/S} agree, both ways. */
    final DescriptorRule servicesMatchProvides;
    /** Rule 6: plugin modules export nothing (except the allow-listed public API package). */
    final DescriptorRule pluginsExportNothing;
    /** Rule 7a (and rule 2 at descriptor level): {@code requires} follow the dependency rule. */
    final DescriptorRule requiresFollowDependencyRule;
    /** Rule 7b: every location with Pando classes is an explicit module named dev.pando.*. */
    final DescriptorRule explicitPandoModules;
    /** Rule 7b: each module's packages live under its name (api: dev.pando and below). */
    final DescriptorRule packagesUnderModuleName;
    /** Rule 7b: a module name and a package appear once on the class path. */
    final DescriptorRule uniqueModulesAndPackages;
    /** Rule 8: shared implementation modules provide no service and export only their own packages. */
    final DescriptorRule sharedModulesAreNoPlugins;

    private PandoArchitecture(PandoModules modules, Map<String, String> pluginsWithPublicApi) {
        this.modules = modules;
        this.pluginsWithPublicApi = Map.copyOf(pluginsWithPublicApi);
        this.apiDependencies = apiDependencies();
        this.moduleDependencies = moduleDependencies();
        this.noPackageCycles = noPackageCycles();
        this.libraryOwnership = LIBRARY_OWNERS.stream().map(this::libraryOwnership).collect(Collectors.toList());
        this.servicesMatchProvides = new DescriptorRule(
                "provides clauses and META-INF/services files agree", PandoArchitecture::servicesMatchProvides);
        this.pluginsExportNothing = new DescriptorRule(
                "plugin modules export nothing (allow-listed public API: " + this.pluginsWithPublicApi + ")",
                this::pluginsExportNothing);
        this.requiresFollowDependencyRule = new DescriptorRule(
                "module descriptors require only the Pando modules their role may use",
                PandoArchitecture::requiresFollowDependencyRule);
        this.explicitPandoModules = new DescriptorRule(
                "every location with dev.pando classes is an explicit module named dev.pando.*",
                PandoArchitecture::explicitPandoModules);
        this.packagesUnderModuleName = new DescriptorRule(
                "a module's packages are its name or below it (api: dev.pando and below)",
                PandoArchitecture::packagesUnderModuleName);
        this.uniqueModulesAndPackages = new DescriptorRule(
                "each module name and each package appears in one location only",
                PandoArchitecture::uniqueModulesAndPackages);
        this.sharedModulesAreNoPlugins = new DescriptorRule(
                "shared implementation modules provide no service and export only packages under their name",
                PandoArchitecture::sharedModulesAreNoPlugins);
    }

    static PandoArchitecture of(PandoModules modules) {
        return new PandoArchitecture(modules, PLUGINS_WITH_PUBLIC_API);
    }

    /** For fixtures that exercise the allow-list of rule 6. */
    static PandoArchitecture of(PandoModules modules, Map<String, String> pluginsWithPublicApi) {
        return new PandoArchitecture(modules, pluginsWithPublicApi);
    }

    List<DescriptorRule> descriptorRules() {
        return List.of(servicesMatchProvides, pluginsExportNothing, requiresFollowDependencyRule,
                explicitPandoModules, packagesUnderModuleName, uniqueModulesAndPackages, sharedModulesAreNoPlugins);
    }

    // ---------------------------------------------------------------- ArchUnit rules (1 to 4)

    private ArchRule apiDependencies() {
        DescribedPredicate<JavaClass> allowed = inModuleWithRole(ModuleRole.API)
                .or(inJdkPackage("java", "javax"))
                .or(outsidePandoResidingIn("org.bouncycastle..", "org.slf4j.."));
        return classes().that(inModuleWithRole(ModuleRole.API))
                .should().onlyDependOnClassesThat(allowed)
                .because("api is small and stable: it uses nothing of ours and no third party but"
                        + " BouncyCastle (crypto) and slf4j (logging facade)");
    }

    private ArchRule moduleDependencies() {
        DescribedFunction<JavaClass, ArchModule.Identifier> byJpmsModule = DescribedFunction.describe(
                "their JPMS module", javaClass -> modules.of(javaClass)
                        .map(m -> ArchModule.Identifier.from(m.name()))
                        .orElseGet(ArchModule.Identifier::ignore));
        // Identifier parts are 1-based.
        DescriptorFunction<ArchModule.Descriptor> named = DescriptorFunction.describe(
                "named by it", (identifier, classes) -> ArchModule.Descriptor.create(identifier.getPart(1)));
        DescribedPredicate<ModuleDependency<ArchModule.Descriptor>> allowedByRole = DescribedPredicate.describe(
                "api uses no Pando module, node and shared implementations use api only, plugins use api"
                        + " and shared implementations, testkit modules use api, node and each other, examples and benchmarks use anything",
                dependency -> ModuleRole.allows(dependency.getOrigin().getName(), dependency.getTarget().getName()));
        return modules().definedBy(byJpmsModule).derivingModule(named)
                .should().respectTheirAllowedDependencies(allowedByRole, consideringOnlyDependenciesBetweenModules())
                .as("Pando modules use only the modules their role allows: api none, node and shared"
                        + " implementations api, plugins api and shared implementations, testkit modules api, node and each other,"
                        + " examples and benchmarks any")
                .because("plugins are found by ServiceLoader through api; only examples, benchmarks"
                        + " and tests put plugins together");
    }

    private ArchRule noPackageCycles() {
        SliceAssignment byPackage = new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                return modules.of(javaClass).isPresent()
                        ? SliceIdentifier.of(javaClass.getPackageName())
                        : SliceIdentifier.ignore();
            }

            @Override
            public String getDescription() {
                return "packages of Pando modules";
            }
        };
        return slices().assignedFrom(byPackage).should().beFreeOfCycles()
                .because("package cycles make modules impossible to split or reason about");
    }

    private ArchRule libraryOwnership(LibraryOwnership library) {
        DescribedPredicate<JavaClass> nonOwners = DescribedPredicate.describe(
                "are in a Pando module other than " + library.owners() + " and " + LIBRARY_OWNERSHIP_EXEMPT,
                javaClass -> modules.of(javaClass)
                        .map(PandoModule::name)
                        .filter(name -> !library.owner().test(name) && !LIBRARY_OWNERSHIP_EXEMPT.contains(name))
                        .isPresent());
        return noClasses().that(nonOwners)
                .should().dependOnClassesThat(outsidePandoResidingIn(library.packages().toArray(String[]::new)))
                .because("only " + library.owners() + " may use " + library.name());
    }

    private DescribedPredicate<JavaClass> inModuleWithRole(ModuleRole role) {
        return DescribedPredicate.describe("are in a module with role " + role,
                javaClass -> modules.of(javaClass).map(m -> m.role() == role).orElse(false));
    }

    /** Primitives count as JDK; arrays are judged by their element type. */
    private static DescribedPredicate<JavaClass> inJdkPackage(String... topLevelPackages) {
        Set<String> prefixes = Set.of(topLevelPackages);
        return DescribedPredicate.describe("are in a JDK package under " + prefixes, javaClass -> {
            JavaClass base = javaClass.getBaseComponentType();
            if (base.isPrimitive()) {
                return true;
            }
            String packageName = base.getPackageName();
            String top = packageName.contains(".") ? packageName.substring(0, packageName.indexOf('.')) : packageName;
            return prefixes.contains(top) && JdkPackages.ALL.contains(packageName);
        });
    }

    private DescribedPredicate<JavaClass> outsidePandoResidingIn(String... packagePatterns) {
        PackageMatchers matchers = PackageMatchers.of(packagePatterns);
        return DescribedPredicate.describe("reside in any package " + List.of(packagePatterns), javaClass -> {
            JavaClass base = javaClass.getBaseComponentType();
            return !base.isPrimitive() && modules.of(base).isEmpty()
                    && matchers.test(base.getPackageName());
        });
    }

    /** A library and the only modules that may use it. */
    record LibraryOwnership(String name, String owners, Predicate<String> owner, List<String> packages) {
    }

    private static final class JdkPackages {
        static final Set<String> ALL = ModuleFinder.ofSystem().findAll().stream()
                .map(ModuleReference::descriptor)
                .flatMap(d -> d.packages().stream())
                .collect(Collectors.toUnmodifiableSet());
    }

    // ------------------------------------------------------- descriptor rules (5, 6 and 7)

    private static List<String> servicesMatchProvides(PandoModules modules) {
        List<String> violations = new ArrayList<>();
        for (PandoModule module : modules.all()) {
            if (module.descriptor().isEmpty() || module.location().isEmpty()) {
                continue;
            }
            Map<String, Set<String>> provides = new TreeMap<>();
            for (Provides p : module.descriptor().get().provides()) {
                provides.put(p.service(), new TreeSet<>(p.providers()));
            }
            Map<String, Set<String>> files = new TreeMap<>();
            PandoModules.serviceFiles(module.location().get())
                    .forEach((service, names) -> files.put(service, new TreeSet<>(names)));
            Set<String> services = new TreeSet<>(provides.keySet());
            services.addAll(files.keySet());
            for (String service : services) {
                Set<String> declared = provides.get(service);
                Set<String> listed = files.get(service);
                if (listed == null) {
                    violations.add(module.name() + " provides " + service + " with " + declared
                            + " but has no META-INF/services/" + service);
                } else if (declared == null) {
                    violations.add(module.name() + " has META-INF/services/" + service + " listing " + listed
                            + " but no 'provides " + service + "' in module-info");
                } else if (!declared.equals(listed)) {
                    violations.add(module.name() + " provides " + service + " with " + declared
                            + " but META-INF/services/" + service + " lists " + listed);
                }
            }
        }
        return violations;
    }

    private List<String> pluginsExportNothing(PandoModules modules) {
        List<String> violations = new ArrayList<>();
        for (PandoModule module : modules.all()) {
            if (module.role() != ModuleRole.PLUGIN || module.descriptor().isEmpty()) {
                continue;
            }
            // a qualified export of the plugin's own package to the plugins that run on its engine
            // (ModuleRole.PLUGIN_ENGINES) is how that engine is shared, and nothing more
            Set<String> exports = module.descriptor().get().exports().stream()
                    .filter(e -> !isEngineExport(module.name(), e))
                    .map(Exports::toString).collect(Collectors.toCollection(TreeSet::new));
            String allowed = pluginsWithPublicApi.get(module.name());
            Set<String> expected = allowed == null ? Set.of() : Set.of(allowed);
            if (!exports.equals(expected)) {
                violations.add(module.name() + " exports " + exports + (allowed == null
                        ? " but a plugin exports nothing (its provider is found by ServiceLoader)"
                        : " but may export exactly [" + allowed + "] (PLUGINS_WITH_PUBLIC_API)"));
            }
        }
        return violations;
    }

    private static boolean isEngineExport(String module, Exports e) {
        return e.isQualified() && (e.source().equals(module) || e.source().startsWith(module + "."))
                && e.targets().stream().allMatch(user -> ModuleRole.PLUGIN_ENGINES.getOrDefault(user, Set.of()).contains(module));
    }

    private static List<String> requiresFollowDependencyRule(PandoModules modules) {
        List<String> violations = new ArrayList<>();
        for (PandoModule module : modules.all()) {
            if (module.descriptor().isEmpty()) {
                continue;
            }
            for (Requires requires : module.descriptor().get().requires()) {
                String target = requires.name();
                if (PandoModules.isPandoName(target) && !target.equals(module.name())
                        && !ModuleRole.allows(module.name(), target)) {
                    violations.add(module.name() + " (" + module.role() + ") requires " + target
                            + " (" + ModuleRole.of(target) + ") but may use only " + module.role().mayUse());
                }
            }
        }
        return violations;
    }

    private static List<String> explicitPandoModules(PandoModules modules) {
        List<String> violations = new ArrayList<>();
        for (PandoModule module : modules.all()) {
            Optional<ModuleDescriptor> descriptor = module.descriptor();
            if (descriptor.isEmpty()) {
                violations.add(module.location().map(Object::toString).orElse(module.name())
                        + " holds Pando packages " + new TreeSet<>(module.packages())
                        + " but no module-info.class: every Pando module is an explicit JPMS module");
            } else if (descriptor.get().isAutomatic()) {
                violations.add(module.name() + " is an automatic module; Pando modules are explicit");
            } else if (!PandoModules.isPandoName(module.name())) {
                violations.add("module " + module.name() + " holds Pando packages "
                        + module.packages().stream().filter(PandoModules::isPandoPackage)
                                .collect(Collectors.toCollection(TreeSet::new))
                        + " but is not named dev.pando.*");
            }
        }
        return violations;
    }

    private static List<String> packagesUnderModuleName(PandoModules modules) {
        List<String> violations = new ArrayList<>();
        for (PandoModule module : modules.all()) {
            if (module.descriptor().isEmpty()) {
                continue;
            }
            // api's packages are dev.pando and dev.pando.spi, by design (docs/ARCHITECTURE.md)
            String root = module.role() == ModuleRole.API ? "dev.pando" : module.name();
            Set<String> outside = module.packages().stream()
                    .filter(p -> !p.equals(root) && !p.startsWith(root + "."))
                    .collect(Collectors.toCollection(TreeSet::new));
            if (!outside.isEmpty()) {
                violations.add(module.name() + " has packages " + outside + " outside " + root);
            }
        }
        return violations;
    }

    private static List<String> sharedModulesAreNoPlugins(PandoModules modules) {
        List<String> violations = new ArrayList<>();
        for (PandoModule module : modules.all()) {
            if (module.role() != ModuleRole.SHARED || module.descriptor().isEmpty()) {
                continue;
            }
            ModuleDescriptor d = module.descriptor().get();
            for (Provides p : d.provides()) {
                violations.add(module.name() + " provides " + p.service() + " but a shared implementation is no"
                        + " plugin: the plugins built on it provide the services");
            }
            for (Exports e : d.exports()) {
                if (!e.source().equals(module.name()) && !e.source().startsWith(module.name() + ".")) {
                    violations.add(module.name() + " exports " + e.source() + ", outside its name");
                }
            }
        }
        return violations;
    }

    private static List<String> uniqueModulesAndPackages(PandoModules modules) {
        List<String> violations = new ArrayList<>();
        Map<String, List<String>> locationsByName = new TreeMap<>();
        Map<String, Set<String>> modulesByPackage = new TreeMap<>();
        for (PandoModule module : modules.all()) {
            locationsByName.computeIfAbsent(module.name(), n -> new ArrayList<>())
                    .add(module.location().map(Object::toString).orElse("(fixture)"));
            module.packages().forEach(p -> modulesByPackage.computeIfAbsent(p, k -> new LinkedHashSet<>())
                    .add(module.name()));
        }
        locationsByName.forEach((name, locations) -> {
            if (locations.size() > 1) {
                violations.add("module " + name + " appears " + locations.size() + " times: " + locations);
            }
        });
        modulesByPackage.forEach((pkg, owners) -> {
            if (owners.size() > 1) {
                violations.add("package " + pkg + " is split across modules " + owners);
            }
        });
        return violations;
    }

    // ---------------------------------------------------- source tree (rule 7c and the pom)

    /** The JPMS name a module folder must have: {@code store-memory} → {@code dev.pando.store.memory}. */
    static String expectedModuleName(String folder) {
        return "dev.pando." + folder.replace('-', '.');
    }

    /**
     * Rule 7c over the source tree at {@code root}: every module of the root pom (except this one)
     * that has main sources declares a module-info named after its folder, and is on this module's
     * test class path (so the other rules see it).
     */
    static DescriptorRule sourceTreeMatches(Path root) {
        return new DescriptorRule("module folders of " + root + " declare dev.pando.<folder> and are on the"
                + " architecture tests' class path", modules -> sourceTreeViolations(root, modules));
    }

    private static final Pattern MODULE_DECLARATION =
            Pattern.compile("(?:^|[\\s;}])(?:open\\s+)?module\\s+([\\w.]+)\\s*\\{");

    private static List<String> sourceTreeViolations(Path root, PandoModules modules) {
        List<String> violations = new ArrayList<>();
        for (String folder : pomModules(root.resolve("pom.xml"))) {
            if (folder.equals(ARCHITECTURE_TESTS_FOLDER)) {
                continue;
            }
            Path mainJava = root.resolve(folder).resolve("src/main/java");
            if (!Files.isDirectory(mainJava)) {
                continue; // no main code: nothing that could be a module
            }
            Path moduleInfo = mainJava.resolve("module-info.java");
            if (!Files.isRegularFile(moduleInfo)) {
                violations.add(folder + " has main sources but no src/main/java/module-info.java");
                continue;
            }
            Optional<String> declared = declaredModuleName(moduleInfo);
            String expected = expectedModuleName(folder);
            if (declared.isEmpty()) {
                violations.add(moduleInfo + " declares no module");
            } else if (!declared.get().equals(expected)) {
                violations.add("folder " + folder + " declares module " + declared.get() + " but must be " + expected);
            } else if (modules.named(expected).isEmpty()) {
                violations.add("module " + expected + " (folder " + folder + ") is not on the architecture"
                        + " tests' class path: add it as a test dependency to architecture-tests/pom.xml");
            }
        }
        return violations;
    }

    static Optional<String> declaredModuleName(Path moduleInfoJava) {
        try {
            String source = Files.readString(moduleInfoJava, StandardCharsets.UTF_8)
                    .replaceAll("(?s)/\\*.*?\\*/", " ")
                    .replaceAll("//[^\n]*", " ");
            Matcher matcher = MODULE_DECLARATION.matcher(source);
            return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> pomModules(Path pom) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setNamespaceAware(false);
            Document document = factory.newDocumentBuilder().parse(pom.toFile());
            List<String> result = new ArrayList<>();
            for (Node child = document.getDocumentElement().getFirstChild(); child != null;
                 child = child.getNextSibling()) {
                if (child instanceof Element && ((Element) child).getTagName().equals("modules")) {
                    NodeList moduleElements = ((Element) child).getElementsByTagName("module");
                    for (int i = 0; i < moduleElements.getLength(); i++) {
                        result.add(moduleElements.item(i).getTextContent().strip());
                    }
                }
            }
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pom, e);
        } catch (ParserConfigurationException | SAXException e) {
            throw new IllegalStateException("cannot parse " + pom, e);
        }
    }
}
