using System.Net;
using Gateway.Credentials;
using Gateway.Dialing;
using Gateway.Interception.Scrubbing;
using Microsoft.AspNetCore.Http;
using PolicyCompiler.Kits;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Interception.Forwarding;

/// <summary>
/// The YARP transformer of an intercepted request: YARP's plain copy (<see cref="HttpTransformer.Empty"/>:
/// no forwarding headers, so the upstream never learns the sandbox's address), minus what belonged to
/// the proxy hop, with the credential headers and query edits of <see cref="RequestCredentials"/>
/// applied; Host left to the destination (the decided name). On the way back, the reason phrase and any
/// response header that carries a secret of this request in its name or value are dropped
/// (<see cref="ResponseHeadScrubber"/>) and the body is read through a <see cref="SecretScrubbingStream"/>,
/// so an upstream that echoes it cannot hand it to the sandbox.
/// </summary>
internal sealed class CredentialInjector(RequestCredentials credentials, DialPermissions permissions, KitProxy? kitProxy) : HttpTransformer
{
    /// <summary>What the dial of this request came to, when it dialled.</summary>
    public HttpDialOutcome Outcome { get; } = new();

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await Empty.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
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

        if (credentials.QueryEdits.Count > 0)
        {
            // YARP fills RequestUri after the transform when it is still null; with query edits it is built here.
            QueryString sent = httpContext.Request.QueryString;
            string query = sent.HasValue ? sent.Value![1..] : "";
            proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(
                destinationPrefix, httpContext.Request.Path, new QueryString("?" + QueryRewriter.Rewrite(query, credentials.QueryEdits)));
        }

        // A body that carries no encoding can be scrubbed as it streams (see TransformResponseAsync).
        if (credentials.Secrets.Count > 0)
        {
            proxyRequest.Headers.Remove("Accept-Encoding");
            proxyRequest.Headers.TryAddWithoutValidation("Accept-Encoding", "identity");
        }

        // Last, over the request exactly as it will be sent (URI, query edits and headers final).
        // YARP fills in RequestUri after the transformer when it is still null; the signature needs it now.
        if (credentials.Signing is { } signing)
        {
            proxyRequest.RequestUri ??= RequestUtilities.MakeDestinationAddress(destinationPrefix, httpContext.Request.Path, httpContext.Request.QueryString);
            signing.Sign(proxyRequest);
        }

        HttpDialConnector.Prepare(proxyRequest, permissions, kitProxy, Outcome);
    }

    /// <summary>Counts the response body as it is relayed, when set (the audit's <c>bytesOut</c>).</summary>
    public RelayedBytes? Bytes { get; init; }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        bool result = await Default.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        if (credentials.Secrets.Count > 0)
        {
            ResponseHeadScrubber.DropReasonPhrase(httpContext);
            ResponseHeadScrubber.Scrub(httpContext.Response.Headers, credentials.Secrets);
        }

        if (!result || proxyResponse is null)
        {
            return result;
        }

        if (credentials.Secrets.Count > 0 && !await ScrubBodyAsync(httpContext, proxyResponse).ConfigureAwait(false))
        {
            return false;
        }

        if (proxyResponse.StatusCode != HttpStatusCode.SwitchingProtocols)
        {
            Bytes?.Count(proxyResponse);
        }

        return true;
    }

    public override async ValueTask TransformResponseTrailersAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, CancellationToken cancellationToken)
    {
        await Default.TransformResponseTrailersAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        if (credentials.Secrets.Count > 0 && httpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseTrailersFeature>()?.Trailers is { } trailers)
        {
            ResponseHeadScrubber.Scrub(trailers, credentials.Secrets);
        }
    }

    // False when the response was refused instead (an encoding the gateway cannot read to scrub).
    private async ValueTask<bool> ScrubBodyAsync(HttpContext httpContext, HttpResponseMessage proxyResponse)
    {
        if (proxyResponse.StatusCode == HttpStatusCode.SwitchingProtocols)
        {
            return true;
        }

        // The body too: an upstream that echoes the credential must not hand it to the sandbox.
        // Identity was asked for; an encoded body anyway is decoded (the client gets it plain),
        // and one in an encoding the gateway cannot read is refused rather than passed unread.
        HttpContent body = proxyResponse.Content;
        string? encoding = null;
        if (body.Headers.ContentEncoding is { Count: > 0 } encodings)
        {
            encoding = string.Join(",", encodings);
            if (string.Equals(encoding, "identity", StringComparison.OrdinalIgnoreCase))
            {
                encoding = null;
            }
            else if (encodings.Count > 1 || !ScrubbedContent.CanDecode(encoding))
            {
                await RefuseUnreadableAsync(httpContext, encoding).ConfigureAwait(false);
                return false;
            }
            else
            {
                httpContext.Response.Headers.ContentEncoding = default;
                httpContext.Response.Headers.ContentLength = null;
            }
        }

        proxyResponse.Content = new ScrubbedContent(body, credentials.SecretBytes(), encoding);
        return true;
    }

    private static async Task RefuseUnreadableAsync(HttpContext httpContext, string encoding)
    {
        httpContext.Response.Headers.Clear();
        httpContext.Response.StatusCode = StatusCodes.Status502BadGateway;
        httpContext.Response.ContentType = "text/plain; charset=utf-8";
        await httpContext.Response.WriteAsync(
            $"The upstream answered in Content-Encoding \"{encoding}\", which the gateway cannot read to keep the credential out of the response; refused.\n").ConfigureAwait(false);
    }
}
