package dev.pando.examples;

/**
 * How a long-running command hears that the process is asked to stop (SIGINT, SIGTERM): the JVM's
 * shutdown hooks, or in tests a stand-in that runs the hooks when the test says so.
 */
interface ShutdownHooks {
    /** The JVM's own: {@link Runtime#addShutdownHook} and {@link Runtime#removeShutdownHook}. */
    ShutdownHooks JVM = new ShutdownHooks() {
        @Override
        public void add(Thread hook) {
            Runtime.getRuntime().addShutdownHook(hook);
        }

        @Override
        public void remove(Thread hook) {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
    };

    /** Registers a hook: an unstarted thread, started when the stop is requested. */
    void add(Thread hook);

    /**
     * Unregisters a hook.
     *
     * @throws IllegalStateException if the stop was requested already (the hook has been started)
     */
    void remove(Thread hook);
}
