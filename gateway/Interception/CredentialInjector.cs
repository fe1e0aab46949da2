using Gateway.Dialing;
using Microsoft.AspNetCore.Http;
using PolicyCompiler.Kits;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Interception;

/// <summary>
/// The YARP transformer of an intercepted request: YARP's default copy, minus what belonged to
/// the proxy hop, with the credential headers of <see cref="RequestCredentials"/> set; Host left
/// to the destination (the decided name). On the way back, any response header that carries a
/// secret of this request is dropped, so an upstream that echoes it cannot hand it to the sandbox.
/// </summary>
internal sealed class CredentialInjector(RequestCredentials credentials, DialPermissions permissions, KitProxy? kitProxy) : HttpTransformer
{
    /// <summary>What the dial of this request came to, when it dialled.</summary>
    public HttpDialOutcome Outcome { get; } = new();

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await Default.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        proxyRequest.Headers.Remove("Proxy-Authorization");
        proxyRequest.Headers.Remove("Proxy-Connection");
        proxyRequest.Headers.Host = null;
        foreach (KeyValuePair<string, string> header in credentials.Headers)
        {
            proxyRequest.Headers.Remove(header.Key);
            if (!proxyRequest.Headers.TryAddWithoutValidation(header.Key, header.Value))
            {
                proxyRequest.Content?.Headers.Remove(header.Key);
                proxyRequest.Content?.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        HttpDialConnector.Prepare(proxyRequest, permissions, kitProxy, Outcome);
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        bool result = await Default.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        if (credentials.Secrets.Count > 0)
        {
            Scrub(httpContext.Response.Headers);
        }

        return result;
    }

    public override async ValueTask TransformResponseTrailersAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, CancellationToken cancellationToken)
    {
        await Default.TransformResponseTrailersAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        if (credentials.Secrets.Count > 0 && httpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseTrailersFeature>()?.Trailers is { } trailers)
        {
            Scrub(trailers);
        }
    }

    private void Scrub(IHeaderDictionary headers)
    {
        List<string>? leaking = null;
        foreach (KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues> header in headers)
        {
            string value = header.Value.ToString();
            foreach (string secret in credentials.Secrets)
            {
                if (value.Contains(secret, StringComparison.Ordinal))
                {
                    (leaking ??= []).Add(header.Key);
                    break;
                }
            }
        }

        foreach (string name in leaking ?? [])
        {
            headers.Remove(name);
        }
    }
}
