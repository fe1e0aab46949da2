using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using Gateway.Configuration;
using Gateway.Dialing;
using Gateway.Metrics;
using PolicyCompiler.Kits;

namespace Gateway.Interception.Forwarding;

/// <summary>
/// The HTTP clients intercepted requests leave through: every connection comes from the
/// <see cref="Dialer"/> (egress guard, SOCKS5) for the name in the request URI, which the handler
/// sets to the decided name; TLS is verified by <see cref="UpstreamTrust"/>; redirects are handed
/// back to the client, never followed, so a 302 cannot carry the credential to another host.
/// One client, so one connection pool, per route (direct or a kit's <c>network.proxy</c>) and dial
/// permissions: every intercepted connection of every sandbox with the same route and permissions
/// shares pooled upstream connections (a credential is set per request, never on a connection),
/// while a connection is never reused by a request that would have been dialled another way
/// (<see cref="UpstreamPoolKey"/>).
/// </summary>
internal sealed class UpstreamHttpClient : IDisposable
{
    private readonly HttpDialConnector _connector;
    private readonly UpstreamTrust _trust;
    private readonly TimeSpan _connectTimeout;
    private readonly TimeSpan _idleTimeout;
    private readonly HttpMessageInvoker _direct;
    private readonly ConcurrentDictionary<UpstreamPoolKey, HttpMessageInvoker> _byRoute = new();

    public UpstreamHttpClient(Dialer dialer, GatewayConfig config, GatewayMetrics metrics)
    {
        _connector = new HttpDialConnector(dialer, metrics);
        _trust = new UpstreamTrust(config.Trust);
        _connectTimeout = config.Limits.ConnectTimeout;
        _idleTimeout = config.Limits.IdleTimeout;
        _direct = Create();
    }

    /// <summary>
    /// The client for requests routed by <paramref name="kitProxy"/> (null: the gateway's own route)
    /// and dialled with <paramref name="permissions"/>.
    /// </summary>
    public HttpMessageInvoker For(KitProxy? kitProxy, DialPermissions permissions)
    {
        var key = UpstreamPoolKey.For(kitProxy, permissions);
        return key.IsDefault ? _direct : _byRoute.GetOrAdd(key, static (_, self) => self.Create(), this);
    }

    public void Dispose()
    {
        _direct.Dispose();
        foreach (HttpMessageInvoker client in _byRoute.Values)
        {
            client.Dispose();
        }

        _trust.Dispose();
    }

    private HttpMessageInvoker Create() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ActivityHeadersPropagator = null,
        ConnectTimeout = _connectTimeout,
        EnableMultipleHttp2Connections = true,
        PooledConnectionIdleTimeout = _idleTimeout,
        ConnectCallback = _connector.ConnectAsync,
        PlaintextStreamFilter = HttpDialConnector.MarkEstablished,
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = _trust.Validate },
    });
}
