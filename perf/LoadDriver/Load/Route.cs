using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace LoadDriver.Load;

/// <summary>
/// Where a request goes: the socket's endpoint, the proxy protocol spoken on it, the origin
/// port named to the proxy, and whether TLS runs end to end through it (SNI = the request's host).
/// </summary>
/// <param name="Kind">Proxy protocol.</param>
/// <param name="Connect">The endpoint the socket connects to (proxy, relay or origin).</param>
/// <param name="TargetPort">The port named in CONNECT / SOCKS5 (unused for <see cref="RouteKind.Direct"/>).</param>
/// <param name="TrustedRoot">When set, TLS through the route, trusting only this root.</param>
internal sealed record Route(RouteKind Kind, IPEndPoint Connect, int TargetPort, X509Certificate2? TrustedRoot = null)
{
    /// <summary>True when requests run over TLS.</summary>
    public bool Tls => TrustedRoot is not null;

    /// <summary>
    /// When set, every connection leaves from this address (a loopback address standing for one
    /// sandbox, as perf/budgets.sh uses two); otherwise loopback connections are spread over many.
    /// </summary>
    public IPAddress? Source { get; init; }
}
