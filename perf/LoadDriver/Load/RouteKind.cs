namespace LoadDriver.Load;

/// <summary>How the driver reaches the origin.</summary>
internal enum RouteKind
{
    /// <summary>A TCP connection to <see cref="Route.Connect"/>, which is the origin or a TCP relay in front of it.</summary>
    Direct,

    /// <summary>An HTTP proxy: <c>CONNECT host:port</c> (RFC 9110 §9.3.6), then the origin's bytes.</summary>
    HttpConnect,

    /// <summary>A SOCKS5 proxy, no authentication (RFC 1928).</summary>
    Socks5,
}
