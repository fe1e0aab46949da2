using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Listeners;

/// <summary>
/// The proxy's own answers on the L4 path, written straight to the client pipe. The success
/// line is a constant; error answers carry a short plain-text body and close the connection.
/// </summary>
internal static class ProxyResponses
{
    private static readonly ReadOnlyMemory<byte> s_connectEstablished = ConnectEstablished.ToArray();

    /// <summary>RFC 9110 §9.3.6: any 2xx turns the connection into a tunnel; no body, no length.</summary>
    public static ReadOnlySpan<byte> ConnectEstablished => "HTTP/1.1 200 Connection established\r\n\r\n"u8;

    public static ValueTask<FlushResult> WriteEstablishedAsync(PipeWriter output, CancellationToken cancellation)
    {
        output.Write(ConnectEstablished);
        return output.FlushAsync(cancellation);
    }

    /// <summary>
    /// The success line straight to the client's socket, for a tunnel whose upstream → client bytes
    /// bypass the transport's output pipe (the line must be on the wire before them). False when
    /// the client is already gone.
    /// </summary>
    public static async ValueTask<bool> TryWriteEstablishedAsync(Socket client)
    {
        try
        {
            // 39 bytes into a socket nothing was sent on yet: taken at once, never waits.
            await client.SendAsync(s_connectEstablished, SocketFlags.None).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>RFC 9110 §11.7.1: the sandbox has a proxy token and the request did not carry it.</summary>
    public static ValueTask<FlushResult> WriteProxyAuthenticationRequiredAsync(PipeWriter output, CancellationToken cancellation)
    {
        output.Write(
            "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"egress-gateway\"\r\n"u8
            + "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 61\r\nConnection: close\r\n\r\n"u8
            + "This sandbox must authenticate: Proxy-Authorization required\n"u8);
        return output.FlushAsync(cancellation);
    }

    /// <summary>Writes a complete error response with <c>Connection: close</c>.</summary>
    public static ValueTask<FlushResult> WriteErrorAsync(
        PipeWriter output, int status, string body, bool blocked, CancellationToken cancellation)
    {
        byte[] bodyBytes = Encoding.UTF8.GetBytes(body);
        var head = new StringBuilder(160);
        head.Append("HTTP/1.1 ").Append(status.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(ReasonPhrase(status)).Append("\r\n")
            .Append("Content-Type: text/plain; charset=utf-8\r\n")
            .Append("Content-Length: ").Append(bodyBytes.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n")
            .Append("Connection: close\r\n");
        if (blocked)
        {
            head.Append("X-Gateway-Decision: blocked\r\n");
        }

        head.Append("\r\n");
        output.Write(Encoding.ASCII.GetBytes(head.ToString()));
        output.Write(bodyBytes);
        return output.FlushAsync(cancellation);
    }

    public static string ReasonPhrase(int status) => status switch
    {
        400 => "Bad Request",
        403 => "Forbidden",
        405 => "Method Not Allowed",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    };
}
