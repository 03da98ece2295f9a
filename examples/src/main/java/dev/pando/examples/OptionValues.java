package dev.pando.examples;

import dev.pando.ConfigurationException;
import dev.pando.Hash;
import dev.pando.PrivateKey;
import dev.pando.spi.ProviderOptions;
import java.time.Duration;
import java.util.HexFormat;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * Converts option values. Hex values are parsed here rather than by picocli converters so that a
 * bad value is invalid input (exit 1) with a message that names the option and never quotes a
 * private key; numbers use the picocli converters below and {@link #checkRange}, so a malformed or
 * out-of-range number is a usage error.
 */
final class OptionValues {
    private static final HexFormat HEX = HexFormat.of();

    private OptionValues() {
    }

    /** Bytes from hex (either case), or an {@link InvalidInputException} naming {@code what}. */
    static byte[] hex(String what, String hex) {
        try {
            return HEX.parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(what + " is not valid hex: " + hexProblem(hex), e);
        }
    }

    /**
     * What is wrong with text that {@link HexFormat#parseHex} refused, in words (its own message
     * reads {@code not a hexadecimal digit: "g" = 103}): the first character that is no hex digit,
     * or an odd number of digits.
     */
    static String hexProblem(String hex) {
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            if (!HexFormat.isHexDigit(c)) {
                String shown = c > ' ' && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
                return "character " + (i + 1) + " (" + shown + ") is not a hex digit (0-9, a-f)";
            }
        }
        return hex.length() + " hex digits, an odd number (two make a byte)";
    }

    /** Lowercase hex of the bytes. */
    static String hexOf(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    /** A 32-byte hash from 64 hex characters. */
    static Hash hash(String what, String hex) {
        byte[] bytes = hex(what, hex);
        if (bytes.length != Hash.LENGTH) {
            throw new InvalidInputException(what + " must be a hash of " + Hash.LENGTH * 2
                    + " hex characters, got " + hex.length());
        }
        return Hash.fromBytes(bytes);
    }

    /**
     * Whether a value looks like a key, so that no message may echo it: 32 or more hex digits and
     * nothing else (a 64-character key, also with a few characters too many or missing).
     */
    static boolean looksLikeKey(String value) {
        return value.length() >= 32 && value.chars().allMatch(HexFormat::isHexDigit);
    }

    /** A private key from 64 hex characters; the message never contains any of the input. */
    static PrivateKey privateKey(String what, String hex) {
        if (hex.length() != PrivateKey.LENGTH * 2 || !hex.chars().allMatch(HexFormat::isHexDigit)) {
            throw new InvalidInputException(what + " must be a private key of " + PrivateKey.LENGTH * 2
                    + " hex characters");
        }
        return PrivateKey.fromHex(hex);
    }

    /**
     * Checks that a number option is in range. Out of range is a usage error (exit 2), like a number
     * that does not parse or a seq_num below 0, so that every number option fails alike.
     *
     * @throws ParameterException if {@code value} is below {@code min} or above {@code max}
     */
    static void checkRange(CommandSpec spec, String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': '"
                    + value + "' is out of range (" + min + " to " + max + ")");
        }
    }

    /** A seq_num: 0 to 2^63-1 (Pando's limit; no log can reach more). */
    static final class SeqNum implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                long n = Long.parseLong(value);
                if (n >= 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new TypeConversionException("'" + value + "' is not a seq_num (0 to 9223372036854775807)");
        }
    }

    /** An unsigned 64-bit integer: 0 to 2^64-1, held in a long's 64 bits. */
    static final class UnsignedLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Long.parseUnsignedLong(value);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not an unsigned 64-bit integer (0 to 18446744073709551615)");
            }
        }
    }

    /** A positive duration: {@code 500ms}, {@code 5s}, {@code 2m} or ISO-8601 ({@code PT5S}). */
    static final class PositiveDuration implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return ProviderOptions.of("d", value).positiveDuration("d", Duration.ZERO);
            } catch (ConfigurationException e) {
                throw new TypeConversionException("'" + value + "' is not a positive duration such as 500ms, 5s or 2m");
            }
        }
    }

    /**
     * The repeatable provider option ({@code --store-option}, {@code --transport-option}) given as
     * {@code KEY=VALUE}s, by key (null or empty: none).
     *
     * @throws picocli.CommandLine.ParameterException (a usage error, exit 2) for a value without
     *     {@code =}, an empty key, or a key given twice
     */
    static java.util.Map<String, String> providerOptions(java.util.List<String> keyValues, String option,
            picocli.CommandLine commandLine) {
        java.util.Map<String, String> options = new java.util.TreeMap<>();
        for (String keyValue : keyValues == null ? java.util.List.<String>of() : keyValues) {
            int eq = keyValue.indexOf('=');
            if (eq <= 0) {
                throw new picocli.CommandLine.ParameterException(commandLine,
                        option + " takes KEY=VALUE, got '" + keyValue + "'");
            }
            String key = keyValue.substring(0, eq);
            if (options.putIfAbsent(key, keyValue.substring(eq + 1)) != null) {
                throw new picocli.CommandLine.ParameterException(commandLine, option + " " + key + " is given twice");
            }
        }
        return options;
    }

    /**
     * The provider options a command sets itself ({@code commandOptions}, from its own flags) plus
     * the user's {@code --store-option}/{@code --transport-option}s.
     *
     * @throws InvalidInputException if the user gave a key the command sets, naming the flag to use
     */
    static dev.pando.spi.ProviderOptions mergeProviderOptions(java.util.Map<String, String> commandOptions,
            java.util.Map<String, String> userOptions, String option, java.util.Map<String, String> flagOfKey) {
        java.util.Map<String, String> all = new java.util.TreeMap<>(userOptions);
        for (java.util.Map.Entry<String, String> e : commandOptions.entrySet()) {
            if (all.containsKey(e.getKey())) {
                String flag = flagOfKey.get(e.getKey());
                throw new InvalidInputException(option + " " + e.getKey() + ": this command sets " + e.getKey()
                        + " itself" + (flag == null ? "" : " (from " + flag + ")"));
            }
            all.put(e.getKey(), e.getValue());
        }
        return dev.pando.spi.ProviderOptions.of(all);
    }
}
