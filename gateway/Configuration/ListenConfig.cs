using System.Net;
using System.Net.Sockets;

namespace Gateway.Configuration;

/// <summary>The listeners. A null endpoint is a listener that is off.</summary>
/// <param name="Forward">The forward proxy (CONNECT and absolute-form requests).</param>
/// <param name="TransparentHttp">Redirected plain HTTP, decided by the Host header.</param>
/// <param name="TransparentTls">Redirected TLS, decided by the ClientHello SNI.</param>
/// <param name="Dns">The sandbox-facing resolver (UDP and TCP).</param>
/// <param name="Metrics">/metrics, /healthz, /readyz: a loopback <see cref="IPEndPoint"/> or a <see cref="UnixDomainSocketEndPoint"/>, any address only with <paramref name="MetricsAllowRemote"/>.</param>
/// <param name="Admin">The admin API; a unix socket only, so no sandbox can reach it over the network.</param>
/// <param name="MetricsAllowRemote">The operator opted in to a non-loopback metrics address (and keeps sandboxes off it by other means).</param>
/// <param name="BlockPage">A refused TLS connection on the transparent listener gets a leaf from the local CA and a readable 403 instead of a TLS alert.</param>
internal sealed record ListenConfig(
    IPEndPoint? Forward,
    IPEndPoint? TransparentHttp,
    IPEndPoint? TransparentTls,
    IPEndPoint? Dns,
    EndPoint? Metrics,
    UnixDomainSocketEndPoint Admin,
    bool MetricsAllowRemote = false,
    bool BlockPage = false)
{
    /// <summary>
    /// What carries the forward and transparent listeners' connections: Kestrel's socket transport
    /// (the default for now) or the gateway's own. Metrics and admin always use Kestrel's.
    /// </summary>
    public ListenTransport Transport { get; init; } = ListenTransport.Kestrel;
}
