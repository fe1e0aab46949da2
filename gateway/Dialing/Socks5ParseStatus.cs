namespace Gateway.Dialing;

/// <summary>The three outcomes of reading a SOCKS5 frame from what has arrived so far.</summary>
internal enum Socks5ParseStatus : byte
{
    /// <summary>More bytes are needed to decide.</summary>
    Incomplete,

    /// <summary>The frame is whole.</summary>
    Complete,

    /// <summary>Not a frame this client understands; the <see cref="Socks5Rejection"/> says why.</summary>
    Malformed,
}
