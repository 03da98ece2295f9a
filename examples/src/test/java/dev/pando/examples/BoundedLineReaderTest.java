package dev.pando.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BoundedLineReaderTest {

    private static List<String> readAll(InputStream in, int max) {
        BoundedLineReader r = new BoundedLineReader(in, max);
        List<String> out = new ArrayList<>();
        for (int n = r.next(); n != BoundedLineReader.END; n = r.next()) {
            out.add(n == BoundedLineReader.TOO_LONG ? "<too long>" : new String(r.line(), 0, n, StandardCharsets.UTF_8));
        }
        return out;
    }

    private static InputStream text(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void splitsLinesDropsCarriageReturnsAndKeepsALastLineWithoutNewline() {
        assertThat(readAll(text("a\r\nbb\n\nccc"), 10)).containsExactly("a", "bb", "", "ccc");
        assertThat(readAll(text("a\n"), 10)).containsExactly("a");
        assertThat(readAll(text(""), 10)).isEmpty();
    }

    @Test
    void aLineOverTheLimitIsSkippedAndTheNextOneIsRead() {
        assertThat(readAll(text("12345\n123456\n1234\r\n"), 5)).containsExactly("12345", "<too long>", "1234");
    }

    @Test
    void theBufferGrowsWithTheLinesNotToTheLimit() {
        BoundedLineReader r = new BoundedLineReader(text("short\n" + "y".repeat(1000) + "\n"), Integer.MAX_VALUE - 8);
        assertThat(r.next()).isEqualTo(5);
        assertThat(r.line().length).isLessThan(1024);
        assertThat(r.next()).isEqualTo(1000);
        assertThat(r.line().length).isLessThan(4096);
        assertThat(r.next()).isEqualTo(BoundedLineReader.END);
    }

    /** 64 MiB of one line streamed through, never materialised: only the limit's worth is kept. */
    @Test
    void aHugeLineIsSkippedWithoutBeingHeld() {
        long huge = 64L * 1024 * 1024;
        InputStream endless = new InputStream() {
            long left = huge;

            @Override
            public int read() {
                return left-- > 0 ? 'x' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'x');
                left -= n;
                return n;
            }
        };
        InputStream in = new SequenceInputStream(new SequenceInputStream(text("first\n"), endless), text("\nlast\n"));
        assertThat(readAll(in, 1024 * 1024)).containsExactly("first", "<too long>", "last");
    }
}
