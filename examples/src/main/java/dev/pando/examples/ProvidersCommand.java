package dev.pando.examples;

import dev.pando.node.ProviderRegistry;
import dev.pando.spi.StoreProvider;
import dev.pando.spi.TransportProvider;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code pando providers}: the providers of every kind on the module path (the launcher's
 * own and the plug-ins), as the node's {@link ProviderRegistry} finds them.
 */
@Command(name = "providers", mixinStandardHelpOptions = true,
        description = "Lists the providers found on the module path (built in and plug-ins), by kind: "
                + "{\"stores\": [{\"name\", \"module\", \"class\", \"option_keys\"}, …], \"transports\": […], "
                + "\"syncs\": […], \"gossips\": […], \"discoveries\": […]}. "
                + "Two providers of one kind with the same name are a Configuration error naming both modules.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  pando providers",
            "  PANDO_MODULE_PATH=my-store.jar pando providers",
            "  pando store import --db my.db --store-option busy_timeout=10s < ops.jsonl"})
final class ProvidersCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** One provider as the command prints it. */
    private record Entry(String name, Class<?> type, Set<String> optionKeys) {
    }

    @Override
    public Integer call() {
        ProviderRegistry registry = ((Pando) spec.root().userObject()).registry();
        List<Entry> stores = registry.stores().stream()
                .map((StoreProvider p) -> new Entry(p.name(), p.getClass(), p.optionKeys())).toList();
        List<Entry> transports = registry.transports().stream()
                .map((TransportProvider p) -> new Entry(p.name(), p.getClass(), p.optionKeys())).toList();
        List<Entry> syncs = registry.syncs().stream()
                .map(p -> new Entry(p.name(), p.getClass(), p.optionKeys())).toList();
        List<Entry> gossips = registry.gossips().stream()
                .map(p -> new Entry(p.name(), p.getClass(), p.optionKeys())).toList();
        List<Entry> discoveries = registry.discoveries().stream()
                .map(p -> new Entry(p.name(), p.getClass(), p.optionKeys())).toList();
        try (JsonOut json = JsonOut.object(spec.commandLine().getOut())) {
            json.objects("stores", stores, ProvidersCommand::write)
                    .objects("transports", transports, ProvidersCommand::write)
                    .objects("syncs", syncs, ProvidersCommand::write)
                    .objects("gossips", gossips, ProvidersCommand::write)
                    .objects("discoveries", discoveries, ProvidersCommand::write);
        }
        return Pando.EXIT_OK;
    }

    private static void write(JsonOut json, Entry e) {
        Module m = e.type().getModule();
        json.string("name", e.name())
                .string("module", m.isNamed() ? m.getName() : null)
                .string("class", e.type().getName())
                .strings("option_keys", List.copyOf(new TreeSet<>(e.optionKeys())));
    }
}
