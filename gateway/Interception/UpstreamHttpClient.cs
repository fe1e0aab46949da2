using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Gateway.Configuration;
using Gateway.Dialing;
using Gateway.Metrics;
using PolicyCompiler.Kits;

namespace Gateway.Interception;

/// <summary>
/// The HTTP clients intercepted requests leave through: every connection comes from the
/// <see cref="Dialer"/> (egress guard, SOCKS5) for the name in the request URI, which the handler
/// sets to the decided name; TLS is verified by <see cref="UpstreamTrust"/>; redirects are handed
/// back to the client, never followed, so a 302 cannot carry the credential to another host.
/// One client per route (direct or a kit's <c>network.proxy</c>), so a pooled connection is
/// never reused for a request that must leave another way.
/// </summary>
internal sealed class UpstreamHttpClient : IDisposable
{
    /// <summary>The decision's permissions, handed from the request to the dial.</summary>
    public static readonly HttpRequestOptionsKey<DialPermissions> PermissionsKey = new("gateway.intercept.permissions");

    /// <summary>Where the dial reports its outcome.</summary>
    public static readonly HttpRequestOptionsKey<UpstreamDialOutcome> OutcomeKey = new("gateway.intercept.dial");

    private static readonly HttpRequestOptionsKey<KitProxy> s_kitProxyKey = new("gateway.intercept.kitProxy");

    private readonly Dialer _dialer;
    private readonly GatewayMetrics _metrics;
    private readonly UpstreamTrust _trust;
    private readonly TimeSpan _connectTimeout;
    private readonly TimeSpan _idleTimeout;
    private readonly HttpMessageInvoker _direct;
    private readonly ConcurrentDictionary<KitProxy, HttpMessageInvoker> _byKitProxy = new();

    public UpstreamHttpClient(Dialer dialer, GatewayConfig config, GatewayMetrics metrics)
    {
        _dialer = dialer;
        _metrics = metrics;
        _trust = new UpstreamTrust(config.Trust);
        _connectTimeout = config.Limits.ConnectTimeout;
        _idleTimeout = config.Limits.IdleTimeout;
        _direct = Create();
    }

    /// <summary>The client for requests routed by <paramref name="kitProxy"/> (null: the gateway's own route).</summary>
    public HttpMessageInvoker For(KitProxy? kitProxy) =>
        kitProxy is null ? _direct : _byKitProxy.GetOrAdd(kitProxy, static (_, self) => self.Create(), this);

    /// <summary>Marks <paramref name="request"/> with what its dial needs.</summary>
    public static void Prepare(HttpRequestMessage request, DialPermissions permissions, KitProxy? kitProxy, UpstreamDialOutcome outcome)
    {
        request.Options.Set(PermissionsKey, permissions);
        request.Options.Set(OutcomeKey, outcome);
        if (kitProxy is not null)
        {
            request.Options.Set(s_kitProxyKey, kitProxy);
        }
    }

    public void Dispose()
    {
        _direct.Dispose();
        foreach (HttpMessageInvoker client in _byKitProxy.Values)
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
        ConnectCallback = ConnectAsync,
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = _trust.Validate },
    });

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext connection, CancellationToken cancellation)
    {
        HttpRequestOptions options = connection.InitialRequestMessage.Options;
        options.TryGetValue(PermissionsKey, out DialPermissions permissions);
        options.TryGetValue(OutcomeKey, out UpstreamDialOutcome? outcome);
        options.TryGetValue(s_kitProxyKey, out KitProxy? kitProxy);
        DnsEndPoint endpoint = connection.DnsEndPoint;
        DialResult result = await _dialer.ConnectAsync(endpoint.Host, endpoint.Port, permissions, kitProxy, cancellation).ConfigureAwait(false);
        _metrics.RecordDial(result);
        if (outcome is not null)
        {
            outcome.Dialled = true;
            outcome.Socks5Proxy = result.Socks5Proxy;
        }

        if (result.Socket is null)
        {
            outcome?.Error = result.Error;
            throw new HttpRequestException(EgressErrors.Reason(result.Error, result.Socks5Proxy));
        }

        return new NetworkStream(result.Socket, ownsSocket: true);
    }
}
