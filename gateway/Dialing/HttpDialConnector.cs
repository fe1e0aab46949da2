using System.Net;
using System.Net.Sockets;
using Gateway.Metrics;
using PolicyCompiler.Kits;

namespace Gateway.Dialing;

/// <summary>
/// The <see cref="SocketsHttpHandler.ConnectCallback"/> of the L7 paths (absolute-form and
/// intercepted requests): the connection for a request comes from the <see cref="Dialer"/>, with
/// the permissions and route the request's decision carries in its options (set by
/// <see cref="Prepare"/>), and the outcome is reported back through them.
/// </summary>
internal sealed class HttpDialConnector(Dialer dialer, GatewayMetrics metrics)
{
    private static readonly HttpRequestOptionsKey<DialPermissions> s_permissionsKey = new("gateway.permissions");
    private static readonly HttpRequestOptionsKey<HttpDialOutcome> s_outcomeKey = new("gateway.dial");
    private static readonly HttpRequestOptionsKey<KitProxy> s_kitProxyKey = new("gateway.kitProxy");

    /// <summary>Marks <paramref name="request"/> with what its dial needs and where to report it.</summary>
    public static void Prepare(HttpRequestMessage request, DialPermissions permissions, KitProxy? kitProxy, HttpDialOutcome outcome)
    {
        request.Options.Set(s_permissionsKey, permissions);
        request.Options.Set(s_outcomeKey, outcome);
        if (kitProxy is not null)
        {
            request.Options.Set(s_kitProxyKey, kitProxy);
        }
    }

    /// <summary>Dials the request's host; a refusal becomes an <see cref="HttpRequestException"/> with the reason, its kind in the outcome.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext connection, CancellationToken cancellation)
    {
        HttpRequestOptions options = connection.InitialRequestMessage.Options;
        options.TryGetValue(s_permissionsKey, out DialPermissions permissions);
        options.TryGetValue(s_outcomeKey, out HttpDialOutcome? outcome);
        options.TryGetValue(s_kitProxyKey, out KitProxy? kitProxy);
        DnsEndPoint endpoint = connection.DnsEndPoint;
        outcome?.Dialling = true;
        DialResult result = await dialer.ConnectAsync(endpoint.Host, endpoint.Port, permissions, kitProxy, cancellation).ConfigureAwait(false);
        metrics.RecordDial(result);
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

    /// <summary>
    /// The <see cref="SocketsHttpHandler.PlaintextStreamFilter"/>: called once a new connection is
    /// up (after TLS), it marks the dialling request's outcome <see cref="HttpDialOutcome.Established"/>.
    /// </summary>
    public static ValueTask<Stream> MarkEstablished(SocketsHttpPlaintextStreamFilterContext connection, CancellationToken cancellation)
    {
        if (connection.InitialRequestMessage.Options.TryGetValue(s_outcomeKey, out HttpDialOutcome? outcome))
        {
            outcome.Established = true;
        }

        return ValueTask.FromResult(connection.PlaintextStream);
    }
}
