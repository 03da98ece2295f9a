package dev.pando.examples;

import dev.pando.PrivateKey;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code pando key …}: key tools. */
@Command(name = "key", mixinStandardHelpOptions = true,
        description = "Ed25519 key tools.",
        subcommands = {KeyCommand.Generate.class})
final class KeyCommand {

    /** {@code pando key generate} → {@code {"private_key": hex, "public_key": hex}}. */
    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Generates an Ed25519 key pair and prints {\"private_key\": hex, \"public_key\": hex}. "
                    + "The private key is the 32-byte seed: keep it secret.",
            footerHeading = "%nExamples:%n",
            footer = {
                "  pando key generate > me.json",
                "  pando op create --key-file me.json --body-utf8 hello"})
    static final class Generate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrivateKey key = PrivateKey.generate();
            try (JsonOut json = JsonOut.object(spec.commandLine().getOut())) {
                json.string("private_key", key.toHex()).string("public_key", key.publicKey().hex());
            }
            return Pando.EXIT_OK;
        }
    }
}
