namespace Gateway.Listeners.Transport;

/// <summary>What a <see cref="ReadinessWatch"/> knows about its socket.</summary>
internal enum ReadinessState
{
    /// <summary>Nothing: no peek outstanding, or the reader took what the last one found.</summary>
    Unknown,

    /// <summary>A peek is outstanding.</summary>
    Pending,

    /// <summary>Bytes are waiting in the kernel.</summary>
    Readable,

    /// <summary>The client sent FIN and every byte before it was read.</summary>
    Ended,

    /// <summary>The socket failed (reset) or was closed.</summary>
    Failed,
}
