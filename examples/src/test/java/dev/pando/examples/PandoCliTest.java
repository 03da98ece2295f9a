package dev.pando.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.PrivateKey;
import org.junit.jupiter.api.Test;

/** The command line as a whole: help, version, usage errors, --verbose, secrets never echoed. */
class PandoCliTest {
    static final String KEY = Cli.vectors().get("key_pair").get("private_key").asText();

    @Test
    void helpListsTheCommandsAndExitCodes() {
        Cli.Result r = Cli.run("--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("Usage: pando", "key", "op", "store", "net", "--verbose", "Exit codes:");
        Cli.Result net = Cli.run("net", "--help");
        assertThat(net.exit()).isZero();
        assertThat(net.out()).contains("Usage: pando net", "listen", "ping");
    }

    @Test
    void subcommandHelpDescribesItsOptions() {
        Cli.Result r = Cli.run("op", "create", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("Usage: pando op create", "--key-file", "--key-hex", "--backlink", "--body-utf8", "--prune");
    }

    @Test
    void everyCommandsHelpHasExamplesNoWiderThan80Columns() {
        for (String[] command : new String[][] {{"key", "generate"}, {"op", "create"}, {"op", "inspect"},
                {"net", "listen"}, {"net", "ping"}}) {
            Cli.Result r = Cli.run(command[0], command[1], "--help");
            assertThat(r.exit()).isZero();
            String examples = r.out().substring(r.out().indexOf("Examples:"));
            assertThat(examples.lines().skip(1)).as(String.join(" ", command)).isNotEmpty()
                    .allSatisfy(line -> assertThat(line).startsWith("  ").contains("pando ").hasSizeLessThanOrEqualTo(80));
        }
    }

    @Test
    void theNetCommandsListTheirSharedOptionsInOneOrderAndExplainDurations() {
        for (String command : new String[] {"listen", "ping"}) {
            String help = Cli.run("net", command, "--help").out();
            String options = help.substring(help.indexOf("\n      --"));
            assertThat(options.indexOf("--key-file")).as(command).isLessThan(options.indexOf("--bind"));
            assertThat(options.indexOf("--bind")).as(command).isLessThan(options.indexOf("--transport"));
            assertThat(options.indexOf("--transport")).as(command).isLessThan(options.indexOf("--network"));
            assertThat(help).as(command).contains("DURATION: a positive number with ms, s or m");
        }
    }

    @Test
    void versionIsTheMavenVersion() {
        Cli.Result r = Cli.run("--version");
        assertThat(r.exit()).isZero();
        assertThat(r.out().strip()).matches("pando \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }

    @Test
    void aGroupWithoutACommandOrHelpListsTheCommands() {
        for (String[] args : new String[][] {{}, {"help"}, {"--verbose"}}) {
            Cli.Result r = Cli.run(args);
            assertThat(r.exit()).as(String.join(" ", args)).isZero();
            assertThat(r.out()).contains("Usage: pando", "key", "op", "store", "net", "help");
            assertThat(r.err()).isEmpty();
        }
        for (String group : new String[] {"key", "op", "store", "net"}) {
            Cli.Result r = Cli.run(group);
            assertThat(r.exit()).as(group).isZero();
            assertThat(r.out()).contains("Usage: pando " + group);
            assertThat(Cli.run("help", group).out()).isEqualTo(r.out());
        }
        assertThat(Cli.run("op").out()).contains("create", "inspect");
    }

    @Test
    void unknownCommandOrOptionIsAUsageErrorWithAHintOnStderr() {
        Cli.Result r = Cli.run("op", "destroy");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.field("error")).isEqualTo("Usage");
        assertThat(r.field("message")).contains("destroy");
        assertThat(r.err()).isNotBlank();

        Cli.Result opt = Cli.run("key", "generate", "--colour");
        assertThat(opt.exit()).isEqualTo(2);
        assertThat(opt.field("message")).contains("--colour");
        assertThat(opt.err()).contains("pando key generate --help");
    }

    @Test
    void errorsHaveNoStackTraceUnlessVerbose() {
        Cli.Result quiet = Cli.run("op", "inspect", "8701");
        assertThat(quiet.exit()).isEqualTo(1);
        assertThat(quiet.err()).isEmpty();
        assertThat(quiet.field("message")).doesNotContain("Exception");

        for (String[] args : new String[][] {{"--verbose", "op", "inspect", "8701"}, {"op", "inspect", "8701", "--verbose"}}) {
            Cli.Result verbose = Cli.run(args);
            assertThat(verbose.exit()).isEqualTo(1);
            assertThat(verbose.field("error")).isEqualTo("Decode");
            assertThat(verbose.err()).contains("InvalidOperationException", "\tat ");
        }
    }

    @Test
    void aPrivateKeyIsNeverEchoed() {
        String id = PrivateKey.generate().publicKey().hex();
        String[][] cases = {
            {"op", "create", "--key-hex", KEY, KEY},                  // unmatched positional
            {"op", "create", "--key-hex=" + KEY, "--seq"},            // missing option value
            {"op", "create", "--key-hex", KEY, "--seq", "1"},         // invalid operation
            {"op", "create", "--key-hex", KEY.substring(1)},          // too short
            {"op", "create", "--key-hex", KEY.substring(2) + "zz"},   // not hex
            {"op", "create", "--key-hex", KEY + "00"},                // too long
            {"op", "create", "--key-hex", KEY, "--backlink", "00", "--verbose"},
            {"op", "create", "--key", KEY},                           // the old option name
            {"op", "create", "--key=" + KEY, "--seq", "1"},
            {"op", "create", "--key-file", KEY},                      // a key where its file was wanted
            {"op", "create", "--key-file", KEY, "--verbose"},
            {"net", "ping", id + "@127.0.0.1:1", "--key", KEY},       // issue 14: "no key file at <the key>"
            {"net", "ping", id + "@127.0.0.1:1", "--key-file", KEY, "--verbose"},
            {"net", "listen", "--key-file=" + KEY},
            {"net", "listen", "--key", KEY, "--verbose"},
            {"key", "generate", KEY},                                 // a stray key anywhere
            {"op", "inspect", KEY},
        };
        for (String[] args : cases) {
            Cli.Result r = Cli.run(args);
            assertThat(r.exit()).as(String.join(" ", args)).isIn(1, 2);
            assertThat(r.json().get("error")).isNotNull();
            for (String secret : new String[] {KEY, KEY.substring(1), KEY.substring(2, 40)}) {
                assertThat(r.out()).as(String.join(" ", args)).doesNotContain(secret);
                assertThat(r.err()).as(String.join(" ", args)).doesNotContain(secret);
            }
        }
    }

    @Test
    void theOldKeyOptionNamesItsReplacements() {
        for (String[] args : new String[][] {{"op", "create", "--key", KEY}, {"net", "listen", "--key", "me.json"}}) {
            Cli.Result r = Cli.run(args);
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.field("message")).contains("--key-file", "--key-hex");
        }
        Cli.Result file = Cli.run("net", "listen", "--key-file", KEY);
        assertThat(file.exit()).isEqualTo(1);
        assertThat(file.field("message")).contains("--key-file", "looks like a key");
    }

    @Test
    void redactReplacesBothOptionSpellingsAndKeyLikeValues() {
        String[] args = {"op", "create", "--key-hex", "abcd1234", "--key=ef567890"};
        assertThat(ErrorPrinter.redact("saw 'abcd1234' and 'ef567890'", args))
                .isEqualTo("saw '" + ErrorPrinter.REDACTED + "' and '" + ErrorPrinter.REDACTED + "'");
        assertThat(ErrorPrinter.redact(null, args)).isEmpty();

        String[] file = {"net", "ping", "--key-file=" + KEY, "me.json", "x"};
        assertThat(ErrorPrinter.redact("no key file at " + KEY + ", me.json, x", file))
                .isEqualTo("no key file at " + ErrorPrinter.REDACTED + ", me.json, x");
    }
}
