package dev.pando.examples;

import java.io.IOException;
import java.io.Writer;

/**
 * The commands' stdout. {@link java.io.PrintWriter} (and {@code System.out}) swallow write errors,
 * so {@code pando key generate > /dev/full} would lose the new key and still exit 0. This writer
 * sits under the commands' {@code PrintWriter} and turns a failed write or flush into an unchecked
 * {@link OutputFailedException}, which {@code PrintWriter} does not catch: the command stops at
 * the first failed write. Once failed it stays failed, so nothing later is written half.
 */
final class StdoutWriter extends Writer {
    private final Writer out;
    private volatile OutputFailedException failure;

    StdoutWriter(Writer out) {
        this.out = out;
    }

    /** Whether a write or flush has failed. */
    boolean failed() {
        return failure != null;
    }

    @Override
    public void write(char[] cbuf, int off, int len) {
        check();
        try {
            out.write(cbuf, off, len);
        } catch (IOException e) {
            throw fail(e);
        }
    }

    @Override
    public void flush() {
        check();
        try {
            out.flush();
        } catch (IOException e) {
            throw fail(e);
        }
    }

    /** Flushes; stdout itself stays open (the JVM owns it). */
    @Override
    public void close() {
        flush();
    }

    private void check() {
        OutputFailedException f = failure;
        if (f != null) {
            throw new OutputFailedException(f.getMessage(), f);
        }
    }

    private OutputFailedException fail(IOException e) {
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        OutputFailedException f = new OutputFailedException("cannot write to stdout: " + reason
                + "; the output is incomplete", e);
        failure = f;
        return f;
    }
}
