package dev.pando.examples;

import picocli.CommandLine.Command;

/** {@code pando net …}: commands that use a transport. */
@Command(name = "net", mixinStandardHelpOptions = true,
        description = "Network tools over a Pando transport (default quic-netty): listen for pings, ping a node.",
        subcommands = {NetListen.class, NetPing.class})
final class NetCommand {
}
