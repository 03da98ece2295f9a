package dev.pando.discovery.mdns;

/**
 * z-base-32 (Zooko's human-oriented base-32), used for the DNS-SD instance name: a node id in hex is
 * 64 characters and DNS labels hold at most 63 bytes; in z-base-32 it is 52.
 */
final class ZBase32 {
    private static final char[] ALPHABET = "ybndrfg8ejkmcpqxot1uwisza345h769".toCharArray();

    private ZBase32() {
    }

    /** The bits of {@code bytes}, most significant first, five to a character; the last padded with zeros. */
    static String encode(byte[] bytes) {
        StringBuilder sb = new StringBuilder((bytes.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = buffer << 8 | (b & 0xFF);
            bits += 8;
            while (bits >= 5) {
                sb.append(ALPHABET[(buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            sb.append(ALPHABET[(buffer << (5 - bits)) & 31]);
        }
        return sb.toString();
    }
}
