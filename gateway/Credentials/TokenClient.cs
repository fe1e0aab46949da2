using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Text.Json;
using Gateway.Configuration;
using Gateway.Interception.Forwarding;

namespace Gateway.Credentials;

/// <summary>
/// The gateway's own HTTPS client for token endpoints (OAuth2, Google, GitHub). These URLs come
/// from the operator's kits, not from a sandbox, so they are dialled directly (the egress guard
/// protects against sandboxes, and internal identity providers are common); names in
/// <c>resolve</c> are answered from it first, as for every other dial. TLS is verified against the
/// system roots and <c>trust.extraRootCAs</c>; redirects are never followed (a 3xx could carry a
/// client secret elsewhere); bodies are bounded.
/// </summary>
internal sealed class TokenClient : IDisposable
{
    private const int MaxResponseBytes = 256 * 1024;

    private readonly UpstreamTrust _trust;
    private readonly HttpClient _http;
    private readonly ResolveConfig _resolve;

    public TokenClient(GatewayConfig config)
    {
        _trust = new UpstreamTrust(config.Trust);
        _resolve = config.Resolve;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectTimeout = config.Limits.ConnectTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ActivityHeadersPropagator = null,
            ConnectCallback = ConnectAsync,
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = _trust.Validate },
        };
        _http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30), MaxResponseContentBufferSize = MaxResponseBytes };
    }

    /// <summary>
    /// POSTs <paramref name="content"/> to <paramref name="url"/> and returns the JSON object of a
    /// 2xx answer, or what went wrong in words an operator can act on (status, unreachable, not JSON),
    /// never the response body (an endpoint may echo what it was sent).
    /// </summary>
    public async Task<(JsonDocument? Body, string? Failure)> PostAsync(
        Uri url, HttpContent content, AuthenticationHeaderValue? authorization, string? accept, CancellationToken cancellationToken)
    {
        string where = url.GetLeftPart(UriPartial.Path);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        request.Headers.Authorization = authorization;
        request.Headers.TryAddWithoutValidation("Accept", accept ?? "application/json");
        request.Headers.TryAddWithoutValidation("User-Agent", "egress-gateway");
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            return (null, $"the token endpoint {where} could not be reached ({Reason(e)})");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"the token endpoint {where} did not answer within {_http.Timeout.TotalSeconds:0} s");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"the token endpoint {where} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            try
            {
                await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                JsonDocument document = await JsonDocument.ParseAsync(body, default, cancellationToken).ConfigureAwait(false);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    document.Dispose();
                    return (null, $"the token endpoint {where} answered with JSON that is not an object");
                }

                return (document, null);
            }
            catch (JsonException)
            {
                return (null, $"the token endpoint {where} answered {(int)response.StatusCode} with a body that is not JSON");
            }
            catch (HttpRequestException e)
            {
                return (null, $"the token endpoint {where} broke off its answer ({Reason(e)})");
            }
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _trust.Dispose();
    }

    private static string Reason(HttpRequestException e) =>
        e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "the name does not resolve",
            HttpRequestError.ConnectionError => e.InnerException is SocketException socket ? socket.SocketErrorCode.ToString() : "connection failed",
            HttpRequestError.SecureConnectionError => "TLS failed: its certificate is not trusted for that name",
            _ => e.HttpRequestError.ToString(),
        };

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        string host = context.DnsEndPoint.Host;
        IPAddress[] addresses = _resolve.Hosts.TryGetValue(host.ToLowerInvariant(), out IPAddress? pinned) ? [pinned]
            : IPAddress.TryParse(host, out IPAddress? literal) ? [literal]
            : await System.Net.Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
