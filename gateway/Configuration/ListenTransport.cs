namespace Gateway.Configuration;

/// <summary><c>listen.transport</c>: what accepts and moves the bytes of the sandbox-facing listeners.</summary>
internal enum ListenTransport : byte
{
    /// <summary>The gateway's own (reads only when asked, pure tunnels spliced both ways in the kernel).</summary>
    Gateway,

    /// <summary>Kestrel's socket transport, as before the gateway had its own.</summary>
    Kestrel,
}
