using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Interception.Forwarding;

/// <summary>
/// The body bytes one forwarded request actually carried each way, for its audit event. The
/// framing headers are no figure: a chunked upload or download has no Content-Length, and one
/// cut short never reached the length it declared. Request bytes are counted as the gateway
/// reads them from the client (what it relays), response bytes as it reads them from the upstream.
/// </summary>
internal sealed class RelayedBytes
{
    private long _in;
    private long _out;

    /// <summary>Request body bytes read from the client.</summary>
    public long In => Interlocked.Read(ref _in);

    /// <summary>Response body bytes read from the upstream (after scrubbing, when the body is scrubbed).</summary>
    public long Out => Interlocked.Read(ref _out);

    /// <summary>Starts counting the request body of <paramref name="context"/>; a request that can have none is left as it is.</summary>
    public static RelayedBytes Attach(HttpContext context)
    {
        var bytes = new RelayedBytes();
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is not { CanHaveBody: false })
        {
            context.Request.Body = new CountingReadStream(context.Request.Body, bytes, request: true);
        }

        return bytes;
    }

    /// <summary>Counts the body of <paramref name="response"/> as it is read.</summary>
    public void Count(HttpResponseMessage response)
    {
        response.Content = new CountedContent(response.Content, this);
    }

    internal void Add(bool request, int read)
    {
        if (read <= 0)
        {
            return;
        }

        if (request)
        {
            Interlocked.Add(ref _in, read);
        }
        else
        {
            Interlocked.Add(ref _out, read);
        }
    }
}
