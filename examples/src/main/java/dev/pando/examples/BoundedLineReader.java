package dev.pando.examples;

import dev.pando.PandoException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads lines of bytes from a stream without ever holding more than {@code maxLine} bytes of one:
 * a longer line is skipped to its end and reported as {@link #TOO_LONG}, so a huge or endless line
 * costs bounded memory. The line buffer grows with the longest line read (by doubling, up to the
 * limit), never to the limit up front, and a line is not copied out of it: {@link #next()} says how
 * long it is and {@link #line()} holds it until the next call. Lines end at {@code \n}; a
 * {@code \r} before it is dropped; a last line without {@code \n} is returned too. Not thread-safe.
 */
final class BoundedLineReader {
    /** Returned by {@link #next()} at the end of the stream. */
    static final int END = -1;
    /** Returned by {@link #next()} for a line longer than the limit (its bytes were skipped). */
    static final int TOO_LONG = -2;

    private final InputStream in;
    private final int maxLine;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int end;
    private byte[] line = new byte[256];

    BoundedLineReader(InputStream in, int maxLine) {
        this.in = in;
        this.maxLine = maxLine;
    }

    /**
     * Reads the next line.
     *
     * @return its length without the terminator (its bytes are {@code line()[0..length)}),
     *     {@link #TOO_LONG} for a line over the limit, or {@link #END} at the end of the stream
     */
    int next() {
        int len = 0;
        boolean tooLong = false;
        boolean any = false;
        while (true) {
            if (pos == end && !fill()) {
                if (!any) {
                    return END;
                }
                break;
            }
            any = true;
            int start = pos;
            int nl = -1;
            for (int i = pos; i < end; i++) {
                if (buf[i] == '\n') {
                    nl = i;
                    break;
                }
            }
            int stop = nl < 0 ? end : nl;
            pos = nl < 0 ? end : nl + 1;
            if (!tooLong) {
                int n = stop - start;
                if (len + n > maxLine + 1) { // +1: room for a '\r' before the '\n'
                    tooLong = true;
                } else {
                    if (len + n > line.length) {
                        line = Arrays.copyOf(line, Math.max(len + n, Math.min(maxLine + 1, line.length * 2)));
                    }
                    System.arraycopy(buf, start, line, len, n);
                    len += n;
                }
            }
            if (nl >= 0) {
                break;
            }
        }
        if (tooLong) {
            return TOO_LONG;
        }
        if (len > 0 && line[len - 1] == '\r') {
            len--;
        }
        if (len > maxLine) {
            return TOO_LONG;
        }
        return len;
    }

    /** The buffer holding the line {@link #next()} last returned, valid until it is called again. */
    byte[] line() {
        return line;
    }

    private boolean fill() {
        try {
            int n = in.read(buf, 0, buf.length);
            if (n <= 0) {
                return false;
            }
            pos = 0;
            end = n;
            return true;
        } catch (IOException e) {
            throw new PandoException("cannot read the input: " + e.getMessage(), e);
        }
    }
}
