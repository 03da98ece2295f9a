package dev.pando;

/** The node or a provider was configured wrongly: a missing or duplicate provider, an invalid option. */
public class ConfigurationException extends PandoException {
    private static final long serialVersionUID = 1L;

    public ConfigurationException(String message) {
        super(message);
    }

    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
