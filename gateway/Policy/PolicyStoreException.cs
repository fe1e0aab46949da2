namespace Gateway.Policy;

/// <summary>The state directory cannot be read or written; the message says what to do.</summary>
internal sealed class PolicyStoreException(string message, Exception? inner = null) : Exception(message, inner);
