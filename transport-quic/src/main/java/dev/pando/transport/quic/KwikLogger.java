package dev.pando.transport.quic;

import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.kwik.core.log.BaseLogger;

/**
 * Routes kwik's log output to SLF4J at debug level. kwik's {@code Logger} interface cannot be
 * implemented from a named module (it exposes types of packages kwik does not export), so this
 * extends {@link BaseLogger}, which hides them.
 */
final class KwikLogger extends BaseLogger {
    private static final Logger LOG = LoggerFactory.getLogger("dev.pando.transport.quic.kwik");

    KwikLogger() {
        // kwik formats every message before handing it over: only ask for what SLF4J will print.
        boolean debug = LOG.isDebugEnabled();
        logWarning(debug);
        logInfo(debug);
    }

    @Override
    protected void log(String message) {
        LOG.debug(message);
    }

    @Override
    protected void log(String message, Throwable ex) {
        LOG.debug(message, ex);
    }

    @Override
    protected void logWithHexDump(String message, byte[] data, int length) {
        LOG.trace(message);
    }

    @Override
    protected void logWithHexDump(String message, ByteBuffer data, int offset, int length) {
        LOG.trace(message);
    }
}
