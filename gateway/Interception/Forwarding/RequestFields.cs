using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace Gateway.Interception.Forwarding;

/// <summary>
/// What Kestrel lets through on an intercepted request but a proxy that may downgrade it to
/// HTTP/1.1 must refuse. Kestrel's HTTP/2 stack accepts field names with spaces, a colon or CR LF,
/// values with leading or trailing whitespace, and the connection-specific fields transfer-encoding,
/// keep-alive, proxy-connection and upgrade, all of which RFC 9113 §8.2.1-§8.2.2 make a malformed
/// request. Today YARP drops or re-frames them on the way out, but the decision to forward a
/// hostile message should not rest on the forwarder's hop-by-hop list: refused here, the request
/// never reaches the upstream. CONNECT (RFC 9113 §8.5, RFC 9110 §9.3.6) would open a tunnel inside
/// the intercepted tunnel; only extended CONNECT for WebSocket (RFC 8441), which YARP forwards as a
/// WebSocket upgrade, is a request of the decided host.
/// </summary>
internal static class RequestFields
{
    // RFC 9110 §5.6.2 tchar.
    private static readonly SearchValues<char> s_tchar = SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private static readonly SearchValues<char> s_forbiddenInValue = SearchValues.Create("\r\n\0");

    private static readonly string[] s_connectionSpecific = ["Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Upgrade"];

    /// <summary>Why the request must be refused, or null when it may be forwarded.</summary>
    public static string? Malformed(HttpContext context)
    {
        HttpRequest request = context.Request;
        if (HttpMethods.IsConnect(request.Method)
            && context.Features.Get<IHttpExtendedConnectFeature>() is not { IsExtendedConnect: true, Protocol: "websocket" })
        {
            return "CONNECT is not allowed inside an intercepted connection";
        }

        if (!HttpProtocol.IsHttp2(request.Protocol))
        {
            return null; // Kestrel's HTTP/1.1 parser refuses these shapes itself
        }

        foreach (string name in s_connectionSpecific)
        {
            if (request.Headers.ContainsKey(name))
            {
                return $"the connection-specific field \"{name.ToLowerInvariant()}\" is not allowed in HTTP/2 (RFC 9113 §8.2.2)";
            }
        }

        foreach (KeyValuePair<string, StringValues> field in request.Headers)
        {
            if (field.Key.Length == 0 || field.Key.AsSpan().ContainsAnyExcept(s_tchar))
            {
                return "a field name is not a token (RFC 9113 §8.2.1)";
            }

            foreach (string? value in field.Value)
            {
                if (value is { Length: > 0 } && (value[0] is ' ' or '\t' || value[^1] is ' ' or '\t' || value.AsSpan().ContainsAny(s_forbiddenInValue)))
                {
                    return $"the value of \"{field.Key.ToLowerInvariant()}\" has leading or trailing whitespace or a CR, LF or NUL (RFC 9113 §8.2.1)";
                }
            }
        }

        return null;
    }
}
