using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Tests.Dns;
using Gateway.Tests.Listeners;
using Gateway.Tests.Protocols;

namespace Gateway.Tests.Decisions;

/// <summary>The clients of the refusal table: each opens a real socket, says one thing, and takes what the gateway answers.</summary>
internal static class RefusalClients
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    /// <summary>Sends <paramref name="text"/> and returns the status of the HTTP answer.</summary>
    public static async Task<int> HttpAsync(int port, string text, IPAddress? source = null)
    {
        using RawClient client = await RawClient.ConnectAsync(port, source);
        if (text.Length > 0)
        {
            await client.SendAsync(text);
        }

        (int status, _, _) = await client.ReadResponseAsync();
        return status;
    }

    /// <summary>Sends <paramref name="bytes"/> and reads until the gateway closes; returns what came back.</summary>
    public static async Task<byte[]> RawAsync(int port, byte[] bytes)
    {
        using RawClient client = await RawClient.ConnectAsync(port);
        if (bytes.Length > 0)
        {
            using var cts = new CancellationTokenSource(s_timeout);
            await client.Socket.SendAsync(bytes, SocketFlags.None, cts.Token);
        }

        var received = new List<byte>();
        byte[] buffer = new byte[4096];
        while (true)
        {
            using var cts = new CancellationTokenSource(s_timeout);
            int n;
            try
            {
                n = await client.Socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            }
            catch (SocketException)
            {
                break; // reset after the alert: closed all the same
            }

            if (n == 0)
            {
                break;
            }

            received.AddRange(buffer.AsSpan(0, n).ToArray());
        }

        return [.. received];
    }

    /// <summary>A ClientHello naming <paramref name="serverName"/>; returns what came back before the close.</summary>
    public static Task<byte[]> HelloAsync(int port, string serverName) => RawAsync(port, ClientHelloBuilder.Tls13(serverName).Build());

    /// <summary>One UDP datagram to the resolver; returns the RCODE of its answer.</summary>
    public static async Task<int> DnsAsync(int port, byte[] query)
    {
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        udp.Connect(IPAddress.Loopback, port);
        using var cts = new CancellationTokenSource(s_timeout);
        await udp.SendAsync(query, cts.Token);
        UdpReceiveResult answer = await udp.ReceiveAsync(cts.Token);
        return DnsTestMessages.Decode(answer.Buffer).Rcode;
    }

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}
