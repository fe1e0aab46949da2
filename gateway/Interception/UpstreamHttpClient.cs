using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Gateway.Configuration;
using Gateway.Dialing;
using Gateway.Metrics;

namespace Gateway.Interception;

/// <summary>
/// The HTTP client intercepted requests leave through: every connection comes from the
/// <see cref="Dialer"/> (egress guard, SOCKS5) for the name in the request URI, which the handler
/// sets to the decided name; TLS is verified by <see cref="UpstreamTrust"/>; redirects are handed
/// back to the client, never followed, so a 302 cannot carry the credential to another host.
/// </summary>
internal sealed class UpstreamHttpClient : IDisposable
{
    /// <summary>The decision's permissions, handed from the request to the dial.</summary>
    public static readonly HttpRequestOptionsKey<DialPermissions> PermissionsKey = new("gateway.intercept.permissions");

    /// <summary>Where the dial reports its failure.</summary>
    public static readonly HttpRequestOptionsKey<UpstreamDialOutcome> OutcomeKey = new("gateway.intercept.dial");

    private readonly Dialer _dialer;
    private readonly GatewayMetrics _metrics;
    private readonly UpstreamTrust _trust;

    public UpstreamHttpClient(Dialer dialer, GatewayConfig config, GatewayMetrics metrics)
    {
        _dialer = dialer;
        _metrics = metrics;
        _trust = new UpstreamTrust(config.Trust);
        Invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ActivityHeadersPropagator = null,
            ConnectTimeout = config.Limits.ConnectTimeout,
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = config.Limits.IdleTimeout,
            ConnectCallback = ConnectAsync,
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = _trust.Validate },
        });
    }

    /// <summary>What YARP sends with.</summary>
    public HttpMessageInvoker Invoker { get; }

    public void Dispose()
    {
        Invoker.Dispose();
        _trust.Dispose();
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext connection, CancellationToken cancellation)
    {
        HttpRequestOptions options = connection.InitialRequestMessage.Options;
        options.TryGetValue(PermissionsKey, out DialPermissions permissions);
        options.TryGetValue(OutcomeKey, out UpstreamDialOutcome? outcome);
        DnsEndPoint endpoint = connection.DnsEndPoint;
        DialResult result = await _dialer.ConnectAsync(endpoint.Host, endpoint.Port, permissions, cancellation).ConfigureAwait(false);
        _metrics.RecordDial(result);
        if (result.Socket is null)
        {
            outcome?.Error = result.Error;
            throw new HttpRequestException(EgressErrors.Reason(result.Error));
        }

        return new NetworkStream(result.Socket, ownsSocket: true);
    }
}
