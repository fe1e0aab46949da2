using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace LoadDriver.Origin;

/// <summary>
/// The origin every route ends at: HTTP/1.1 keep-alive on a plain and a TLS port
/// (<c>GET /N</c> returns N bytes of <see cref="OriginBody"/>, and answers the SHA-256 of the
/// request's <c>Authorization</c> as <c>X-Seen-Authorization-Sha256</c> so interception runs can
/// prove the injection: never the value itself, which an injecting proxy rightly strips from
/// responses), and a bulk port that sends as many bytes as the 8-byte little-endian count it reads.
/// </summary>
internal sealed class OriginServer : IAsyncDisposable
{
    private const int HeadBuffer = 16 * 1024;
    private const int BulkChunk = 256 * 1024;

    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _loops = [];
    private readonly SslStreamCertificateContext _certificate;

    private OriginServer(SslStreamCertificateContext certificate) => _certificate = certificate;

    /// <summary>Plain HTTP port.</summary>
    public int HttpPort { get; private set; }

    /// <summary>HTTPS port.</summary>
    public int TlsPort { get; private set; }

    /// <summary>Bulk port.</summary>
    public int BulkPort { get; private set; }

    /// <summary>Listens on 127.0.0.1 (port 0 picks a free one) and starts serving.</summary>
    public static OriginServer Start(int httpPort, int tlsPort, int bulkPort, X509Certificate2 leaf, X509Certificate2 ca)
    {
        var server = new OriginServer(SslStreamCertificateContext.Create(leaf, [ca], offline: true));
        server.HttpPort = server.Listen(httpPort, static (s, socket) => s.ServeHttpAsync(socket, tls: false));
        server.TlsPort = server.Listen(tlsPort, static (s, socket) => s.ServeHttpAsync(socket, tls: true));
        server.BulkPort = server.Listen(bulkPort, static (s, socket) => ServeBulkAsync(socket));
        return server;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (Socket listener in _listeners)
        {
            listener.Dispose();
        }

        await Task.WhenAll(_loops).ConfigureAwait(false);
    }

    private int Listen(int port, Func<OriginServer, Socket, Task> serve)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
        listener.Listen(4096);
        _listeners.Add(listener);
        _loops.Add(AcceptLoopAsync(listener, serve));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    private async Task AcceptLoopAsync(Socket listener, Func<OriginServer, Socket, Task> serve)
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            socket.NoDelay = true;
            _ = serve(this, socket);
        }
    }

    private async Task ServeHttpAsync(Socket socket, bool tls)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(HeadBuffer);
        byte[] response = ArrayPool<byte>.Shared.Rent(OriginBody.MaxSize + 1024);
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            if (tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificateContext = _certificate }).ConfigureAwait(false);
            }

            int length = 0;
            while (true)
            {
                int read = await stream.ReadAsync(buffer.AsMemory(length)).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                length += read;
                int headEnd;
                while ((headEnd = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8)) >= 0)
                {
                    int responseLength = BuildResponse(buffer.AsSpan(0, headEnd + 2), response);
                    await stream.WriteAsync(response.AsMemory(0, responseLength)).ConfigureAwait(false);
                    int consumed = headEnd + 4;
                    buffer.AsSpan(consumed, length - consumed).CopyTo(buffer);
                    length -= consumed;
                }

                if (length == buffer.Length)
                {
                    return; // A head larger than any client of the suite sends.
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or AuthenticationException or ObjectDisposedException)
        {
            // A client went away mid-response; the driver counts it on its side.
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<byte>.Shared.Return(response);
        }
    }

    private const string HexDigits = "0123456789abcdef";

    private static ReadOnlySpan<byte> SeenHeaderName => "X-Seen-Authorization-Sha256"u8;

    /// <summary>The response header the origin sends for a request that carried <c>Authorization: <paramref name="value"/></c>.</summary>
    public static string SeenAuthorizationHeader(string value) =>
        "X-Seen-Authorization-Sha256: " + Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(value)));

    /// <summary>Writes the response to the request head <paramref name="head"/> into <paramref name="response"/>; returns its length.</summary>
    internal static int BuildResponse(ReadOnlySpan<byte> head, Span<byte> response)
    {
        int size = 0;
        bool ok = head.StartsWith("GET /"u8)
            && Utf8Parser.TryParse(head[5..], out size, out int used)
            && head[5 + used] == (byte)' '
            && size >= 0 && size <= OriginBody.MaxSize;
        if (!ok)
        {
            ReadOnlySpan<byte> bad = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"u8;
            bad.CopyTo(response);
            return bad.Length;
        }

        ReadOnlySpan<byte> authorization = HeaderValue(head, "authorization"u8);
        int at = Append(response, 0, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: "u8);
        Utf8Formatter.TryFormat(size, response[at..], out int written);
        at += written;
        if (!authorization.IsEmpty)
        {
            at = Append(response, at, "\r\n"u8);
            at = Append(response, at, SeenHeaderName);
            at = Append(response, at, ": "u8);
            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(authorization, digest);
            for (int i = 0; i < digest.Length; i++)
            {
                response[at++] = (byte)HexDigits[digest[i] >> 4];
                response[at++] = (byte)HexDigits[digest[i] & 0xF];
            }
        }

        at = Append(response, at, "\r\n\r\n"u8);
        return Append(response, at, OriginBody.Of(size).Span);
    }

    private static ReadOnlySpan<byte> HeaderValue(ReadOnlySpan<byte> head, ReadOnlySpan<byte> lowerName)
    {
        foreach (Range range in head.Split("\r\n"u8))
        {
            ReadOnlySpan<byte> line = head[range];
            if (line.Length > lowerName.Length && line[lowerName.Length] == (byte)':' && Ascii.EqualsIgnoreCase(line[..lowerName.Length], lowerName))
            {
                return line[(lowerName.Length + 1)..].Trim((byte)' ');
            }
        }

        return default;
    }

    private static int Append(Span<byte> destination, int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination[at..]);
        return at + bytes.Length;
    }

    private static async Task ServeBulkAsync(Socket socket)
    {
        byte[] chunk = ArrayPool<byte>.Shared.Rent(BulkChunk);
        try
        {
            using (socket)
            {
                int got = 0;
                while (got < sizeof(long))
                {
                    int read = await socket.ReceiveAsync(chunk.AsMemory(got, sizeof(long) - got)).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return;
                    }

                    got += read;
                }

                long remaining = BinaryPrimitives.ReadInt64LittleEndian(chunk);
                chunk.AsSpan(0, BulkChunk).Clear();
                while (remaining > 0)
                {
                    int size = (int)Math.Min(remaining, BulkChunk);
                    await socket.SendAsync(chunk.AsMemory(0, size)).ConfigureAwait(false);
                    remaining -= size;
                }

                socket.Shutdown(SocketShutdown.Send);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The driver closes bulk streams when its window ends: that is how they stop.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }
}
