using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Security.Tests.Harness;

/// <summary>
/// A client that walks a connection to some stage (part of a head, a CONNECT answer, a TLS
/// handshake, part of a body or of a response) and then vanishes with a TCP reset: SO_LINGER 0 and
/// close, so the gateway sees RST rather than FIN, with no TLS close_notify. Every wait is bounded.
/// </summary>
internal sealed class ResettingClient : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private Stream _stream = Stream.Null;

    public static async Task<ResettingClient> ConnectAsync(int port)
    {
        var client = new ResettingClient();
        using var cts = new CancellationTokenSource(s_timeout);
        await client._socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
        client._stream = new NetworkStream(client._socket, ownsSocket: false);
        return client;
    }

    public Task SendAsync(string text) => SendAsync(Encoding.ASCII.GetBytes(text));

    public async Task SendAsync(byte[] bytes)
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await _stream.WriteAsync(bytes, cts.Token);
        await _stream.FlushAsync(cts.Token);
    }

    /// <summary>Reads until <paramref name="marker"/> has arrived (a response head, say); the text read.</summary>
    public async Task<string> ReadUntilAsync(string marker)
    {
        var received = new StringBuilder();
        byte[] buffer = new byte[4096];
        using var cts = new CancellationTokenSource(s_timeout);
        while (!received.ToString().Contains(marker, StringComparison.Ordinal))
        {
            int n = await _stream.ReadAsync(buffer, cts.Token);
            if (n == 0)
            {
                throw new IOException($"closed before \"{marker.ReplaceLineEndings("\\n")}\" arrived: {received}");
            }

            received.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }

        return received.ToString();
    }

    /// <summary>Reads at least <paramref name="count"/> bytes (the first part of a long response).</summary>
    public async Task ReadAtLeastAsync(int count)
    {
        byte[] buffer = new byte[count];
        using var cts = new CancellationTokenSource(s_timeout);
        await _stream.ReadAtLeastAsync(buffer, count, throwOnEndOfStream: true, cts.Token);
    }

    /// <summary>CONNECT through the forward proxy; returns once the 200 has arrived.</summary>
    public async Task ConnectThroughAsync(string host, int port)
    {
        await SendAsync($"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n");
        string head = await ReadUntilAsync("\r\n\r\n");
        Assert.True(head.StartsWith("HTTP/1.1 200", StringComparison.Ordinal), head);
    }

    /// <summary>A TLS handshake over the connection (the gateway's leaf is not what is tested here), offering <paramref name="alpn"/>.</summary>
    public async Task HandshakeAsync(string host, SslApplicationProtocol alpn)
    {
        var tls = new SslStream(_stream, leaveInnerStreamOpen: true);
        using var cts = new CancellationTokenSource(s_timeout);
        await tls.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions
            {
                TargetHost = host,
                ApplicationProtocols = [alpn],
                RemoteCertificateValidationCallback = static (_, _, _, _) => true,
            },
            cts.Token);
        Assert.Equal(alpn, tls.NegotiatedApplicationProtocol);
        _stream = tls;
    }

    /// <summary>The HTTP/2 preface and an empty SETTINGS frame (RFC 9113 §3.4).</summary>
    public async Task StartHttp2Async()
    {
        await SendAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        await SendAsync(RawHttp2Connection.Frame(RawHttp2Connection.Settings, 0, 0, []));
    }

    /// <summary>A HEADERS frame for <paramref name="method"/> <paramref name="path"/> on stream 1.</summary>
    public Task SendHttp2HeadersAsync(string method, string authority, string path, bool endStream, bool endHeaders = true, IEnumerable<(string, string)>? extra = null)
    {
        byte[] block = RawHpack.Encode([(":method", method), (":scheme", "https"), (":authority", authority), (":path", path), .. extra ?? []]);
        byte flags = (byte)((endStream ? RawHttp2Connection.EndStream : 0) | (endHeaders ? RawHttp2Connection.EndHeaders : 0));
        return SendAsync(RawHttp2Connection.Frame(RawHttp2Connection.Headers, flags, 1, block));
    }

    /// <summary>RST: the kernel discards what is unsent and answers the peer's next segment with a reset.</summary>
    public void Reset()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Close();
    }

    public void Dispose()
    {
        _stream.Dispose();
        _socket.Dispose();
    }
}
