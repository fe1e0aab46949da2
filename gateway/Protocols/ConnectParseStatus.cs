namespace Gateway.Protocols;

/// <summary>What <see cref="ConnectRequestReader.TryRead"/> made of the bytes it was given.</summary>
internal enum ConnectParseStatus
{
    /// <summary>No decision yet: read more and call again with the whole buffer (examined = the buffer's end).</summary>
    Incomplete,

    /// <summary>
    /// The first request line is another method (or not HTTP at all): nothing was consumed, the
    /// caller hands the untouched bytes to Kestrel's HTTP stack.
    /// </summary>
    NotConnect,

    /// <summary>A whole, valid CONNECT head was read; what follows it is tunnel data.</summary>
    Complete,

    /// <summary>A CONNECT head that must be refused; the rejection says why.</summary>
    Rejected,
}
