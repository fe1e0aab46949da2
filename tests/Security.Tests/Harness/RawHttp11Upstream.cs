using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Security.Tests.Harness;

/// <summary>
/// A TLS upstream on loopback that speaks only HTTP/1.1 (ALPN http/1.1), so an HTTP/2 request the
/// gateway forwards is downgraded on the way: the classic smuggling surface. It frames what it
/// receives with a strict RFC 9112 reader of its own (no Kestrel leniency in between) and records
/// each request with the SNI of its connection and every problem it saw: a forbidden byte in the
/// head, a bad request line or header name, ambiguous framing. A problem ends the connection after
/// a 400, as a strict server would.
/// </summary>
internal sealed class RawHttp11Upstream : IAsyncDisposable
{
    private const int MaxHead = 64 * 1024;
    private const int MaxConnectionBytes = 1024 * 1024;
    // RFC 9110 §5.6.2 tchar.
    private static readonly System.Buffers.SearchValues<char> s_tchar =
        System.Buffers.SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2 _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public RawHttp11Upstream(X509Certificate2 certificate)
    {
        _certificate = certificate;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>Every request framed so far, in arrival order.</summary>
    public ConcurrentQueue<UpstreamRequest> Requests { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _certificate.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        cts.CancelAfter(TimeSpan.FromSeconds(60));
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
        try
        {
            await tls.AuthenticateAsServerAsync(
                new SslServerAuthenticationOptions { ServerCertificate = _certificate, ApplicationProtocols = [SslApplicationProtocol.Http11] }, cts.Token);
            var received = new List<byte>();
            byte[] buffer = new byte[16 * 1024];
            while (received.Count < MaxConnectionBytes)
            {
                while (TryFrame(received, tls.TargetHostName, out UpstreamRequest? request, out int consumed))
                {
                    Requests.Enqueue(request);
                    received.RemoveRange(0, consumed);
                    bool bad = request.Problems.Count > 0;
                    byte[] answer = Encoding.ASCII.GetBytes(bad
                        ? "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        : $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {5 + request.Target.Length}\r\n\r\nseen {request.Target}");
                    await tls.WriteAsync(answer, cts.Token);
                    if (bad)
                    {
                        return;
                    }
                }

                int n = await tls.ReadAsync(buffer, cts.Token);
                if (n == 0)
                {
                    return;
                }

                received.AddRange(buffer.AsSpan(0, n));
            }
        }
        catch (InvalidDataException e)
        {
            Requests.Enqueue(new UpstreamRequest(tls.TargetHostName, "", "", [], "", [e.Message]));
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            // The gateway abandoned the connection (a request it gave up on): what was framed is recorded.
        }
    }

    // RFC 9112 §2-§7, strictly: false while the head or body is incomplete.
    private static bool TryFrame(List<byte> received, string sni, out UpstreamRequest request, out int consumed)
    {
        request = null!;
        consumed = 0;
        byte[] bytes = [.. received];
        int headEnd = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        if (headEnd < 0)
        {
            if (bytes.Length <= MaxHead)
            {
                return false;
            }

            headEnd = MaxHead;
        }

        var problems = new List<string>();
        ReadOnlySpan<byte> head = bytes.AsSpan(0, headEnd);
        for (int i = 0; i < head.Length; i++)
        {
            if (head[i] == 0 || (head[i] == '\r' && (i + 1 == head.Length || head[i + 1] != '\n')) || (head[i] == '\n' && (i == 0 || head[i - 1] != '\r')))
            {
                problems.Add($"forbidden byte 0x{head[i]:x2} at {i}");
            }
        }

        string[] lines = Encoding.Latin1.GetString(head).Split("\r\n");
        string[] start = lines[0].Split(' ');
        if (start.Length != 3 || start[2] != "HTTP/1.1" || !IsToken(start[0]))
        {
            problems.Add($"bad request line \"{lines[0]}\"");
        }

        var headers = new List<(string Name, string Value)>();
        foreach (string line in lines.AsSpan(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !IsToken(line[..colon]))
            {
                problems.Add($"bad header line \"{line}\"");
                continue;
            }

            headers.Add((line[..colon], line[(colon + 1)..].Trim(' ', '\t')));
        }

        List<string> lengths = [.. headers.Where(h => h.Name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Select(h => h.Value)];
        List<string> codings = [.. headers.Where(h => h.Name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)).Select(h => h.Value)];
        if (lengths.Count > 1 || (lengths.Count == 1 && codings.Count > 0) || codings.Count > 1 || (codings.Count == 1 && !codings[0].Equals("chunked", StringComparison.OrdinalIgnoreCase)))
        {
            problems.Add($"ambiguous framing: content-length [{string.Join(",", lengths)}] transfer-encoding [{string.Join(",", codings)}]");
        }

        int bodyStart = Math.Min(headEnd + 4, bytes.Length);
        byte[] body = [];
        int end = bodyStart;
        if (problems.Count == 0 && codings.Count == 1 && !TryChunked(bytes, bodyStart, out body, out end))
        {
            return false;
        }

        if (problems.Count == 0 && lengths.Count == 1)
        {
            if (!int.TryParse(lengths[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int length))
            {
                problems.Add($"bad content-length \"{lengths[0]}\"");
            }
            else if (bytes.Length - bodyStart < length)
            {
                return false;
            }
            else
            {
                body = bytes[bodyStart..(bodyStart + length)];
                end = bodyStart + length;
            }
        }

        request = new UpstreamRequest(sni, start[0], start.Length > 1 ? start[1] : "", headers, Encoding.Latin1.GetString(body), problems);
        consumed = problems.Count > 0 ? bytes.Length : end;
        return true;
    }

    private static bool TryChunked(byte[] bytes, int at, out byte[] body, out int end)
    {
        var data = new List<byte>();
        body = [];
        end = at;
        while (true)
        {
            int lineEnd = bytes.AsSpan(at).IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                return false;
            }

            string size = Encoding.Latin1.GetString(bytes, at, lineEnd).Split(';')[0];
            if (!int.TryParse(size, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out int length) || length < 0)
            {
                throw new InvalidDataException($"bad chunk size \"{size}\"");
            }

            at += lineEnd + 2;
            if (length == 0)
            {
                int trailersEnd = bytes.AsSpan(at).StartsWith("\r\n"u8) ? 0 : bytes.AsSpan(at).IndexOf("\r\n\r\n"u8);
                if (trailersEnd < 0)
                {
                    return false;
                }

                end = at + trailersEnd + (trailersEnd == 0 ? 2 : 4);
                body = [.. data];
                return true;
            }

            if (bytes.Length < at + length + 2)
            {
                return false;
            }

            data.AddRange(bytes.AsSpan(at, length));
            at += length + 2;
        }
    }

    private static bool IsToken(string text) => text.Length > 0 && text.AsSpan().IndexOfAnyExcept(s_tchar) < 0;
}
