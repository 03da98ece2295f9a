package dev.pando.examples;

import picocli.CommandLine.Command;

/** {@code pando op …}: operation tools. */
@Command(name = "op", mixinStandardHelpOptions = true,
        description = "Create and inspect p2panda-compatible operations.",
        subcommands = {OpCreate.class, OpInspect.class})
final class OpCommand {
}
