using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Tests.Listeners;

/// <summary>A plain socket to the proxy, for what curl will not send: split heads, pipelining, malformed requests.</summary>
internal sealed class RawClient : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };

    public Socket Socket => _socket;

    public static async Task<RawClient> ConnectAsync(int port, IPAddress? source = null)
    {
        var client = new RawClient();
        if (source is not null)
        {
            client._socket.Bind(new IPEndPoint(source, 0)); // another loopback address: another sandbox
        }

        using var cts = new CancellationTokenSource(s_timeout);
        await client._socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
        return client;
    }

    public async Task SendAsync(string text)
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await _socket.SendAsync(Encoding.ASCII.GetBytes(text), SocketFlags.None, cts.Token);
    }

    /// <summary>Reads one HTTP/1.1 response: head, then a Content-Length body if any.</summary>
    public async Task<(int Status, string Head, string Body)> ReadResponseAsync()
    {
        var received = new List<byte>();
        int headEnd;
        while ((headEnd = IndexOf(received, "\r\n\r\n"u8)) < 0)
        {
            if (await ReceiveAsync(received) == 0)
            {
                throw new IOException("connection closed before a response head: " + Encoding.ASCII.GetString([.. received]));
            }
        }

        string head = Encoding.ASCII.GetString([.. received.GetRange(0, headEnd)]);
        int length = 0;
        foreach (string line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        while (received.Count < headEnd + 4 + length)
        {
            if (await ReceiveAsync(received) == 0)
            {
                break;
            }
        }

        _pending = received.Skip(headEnd + 4 + length).ToList();
        string body = Encoding.UTF8.GetString([.. received.Skip(headEnd + 4).Take(length)]);
        return (int.Parse(head.AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture), head, body);
    }

    /// <summary>Reads until the peer closes; returns what arrived after the last response.</summary>
    public async Task<string> ReadToEndAsync()
    {
        var received = new List<byte>(_pending);
        while (await ReceiveAsync(received) > 0)
        {
        }

        return Encoding.UTF8.GetString([.. received]);
    }

    public void Dispose() => _socket.Dispose();

    private List<byte> _pending = [];

    private async Task<int> ReceiveAsync(List<byte> into)
    {
        byte[] buffer = new byte[16 * 1024];
        using var cts = new CancellationTokenSource(s_timeout);
        int n = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
        into.AddRange(buffer.AsSpan(0, n).ToArray());
        return n;
    }

    private static int IndexOf(List<byte> data, ReadOnlySpan<byte> value) =>
        data.Count < value.Length ? -1 : data.ToArray().AsSpan().IndexOf(value);
}
