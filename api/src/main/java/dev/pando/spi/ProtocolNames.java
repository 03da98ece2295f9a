package dev.pando.spi;

import java.util.regex.Pattern;

/**
 * The rule for protocol names, the names under which {@link Transport#accept} and
 * {@link Transport#dial} multiplex a connection. A protocol name is 1 to {@value #MAX_LENGTH}
 * bytes of {@code [a-z0-9._-]+(/[a-z0-9._-]+)*}{@code /<version>}, e.g. {@code pando/sync/1}.
 * Every transport accepts exactly these names, so an application's names work over any of them.
 */
public final class ProtocolNames {
    /** The longest protocol name, in bytes. */
    public static final int MAX_LENGTH = 200;

    private static final Pattern NAME = Pattern.compile("[a-z0-9._-]+(/[a-z0-9._-]+)*/[0-9]+");

    private ProtocolNames() {
    }

    /** Whether {@code name} is a valid protocol name. */
    public static boolean isValid(String name) {
        return name != null && !name.isEmpty() && name.length() <= MAX_LENGTH && NAME.matcher(name).matches();
    }

    /**
     * Returns {@code name} if it is a valid protocol name.
     *
     * @throws IllegalArgumentException naming the rule it breaks
     */
    public static String validate(String name) {
        if (!isValid(name)) {
            throw new IllegalArgumentException("invalid protocol name \"" + name + "\": must be 1.." + MAX_LENGTH
                    + " characters of [a-z0-9._-] segments separated by '/', ending in a numeric version, e.g. pando/sync/1");
        }
        return name;
    }
}
