namespace Gateway.Protocols;

/// <summary>What <see cref="ClientHelloReader.TryRead"/> made of the bytes it was given.</summary>
internal enum ClientHelloStatus
{
    /// <summary>No decision yet: read more and call again with the whole buffer (<c>AdvanceTo(buffer.Start, buffer.End)</c>).</summary>
    Incomplete,

    /// <summary>A whole, well-formed ClientHello with exactly one server name; nothing was consumed.</summary>
    Complete,

    /// <summary>Not a ClientHello the gateway accepts; the rejection says why.</summary>
    Rejected,
}
