namespace Gateway.Protocols;

/// <summary>What the first bytes of a redirected connection say (<see cref="HttpRequestProbe"/>).</summary>
internal enum HttpProbeResult
{
    /// <summary>Not enough bytes yet to tell.</summary>
    NeedMore,

    /// <summary>An HTTP/1.x request line starts here.</summary>
    Http,

    /// <summary>Anything else (a database protocol, TLS, an SSH client).</summary>
    NotHttp,
}
