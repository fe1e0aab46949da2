using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Tests.Listeners;

namespace Gateway.Tests.Listeners;

/// <summary>
/// Nagle's algorithm holds a small write back until the previous one is acknowledged: with
/// delayed ACKs on the peer that is up to ~40 ms per request/response turn. Every socket the
/// gateway accepts or dials must have TCP_NODELAY set, whoever set the socket up.
/// </summary>
public sealed class TcpNoDelayTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ConnectTunnel_TheClientSocketAccepted_AndTheUpstreamSocketDialled_HaveNoDelay()
    {
        using var upstream = new TcpListener(IPAddress.Loopback, 0);
        upstream.Start();
        int port = ((IPEndPoint)upstream.LocalEndpoint).Port;
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync([["policy", "allow", "network", "127.0.0.1"]]);

        // The client leaves Nagle on: the gateway's end of the connection must set its own option.
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, gateway.Port)).WaitAsync(s_timeout);
        await client.SendAsync(Encoding.ASCII.GetBytes($"CONNECT 127.0.0.1:{port} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"));
        using Socket accepted = await upstream.AcceptSocketAsync().WaitAsync(s_timeout);
        Assert.StartsWith("HTTP/1.1 200", await ReadHeadAsync(client));

        var clientLocal = (IPEndPoint)client.LocalEndPoint!;
        var clientRemote = (IPEndPoint)client.RemoteEndPoint!;
        var upstreamLocal = (IPEndPoint)accepted.LocalEndPoint!;
        var upstreamRemote = (IPEndPoint)accepted.RemoteEndPoint!;

        // The probe reads the option as set: the test's own client socket has Nagle on.
        Assert.False(SocketsOfThisProcess.NoDelayOf(clientLocal, clientRemote));
        Assert.True(SocketsOfThisProcess.NoDelayOf(clientRemote, clientLocal), "the socket the forward listener accepted");
        Assert.True(SocketsOfThisProcess.NoDelayOf(upstreamRemote, upstreamLocal), "the socket the dialer connected upstream");
    }

    private static async Task<string> ReadHeadAsync(Socket socket)
    {
        var head = new StringBuilder();
        byte[] one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            int read = await socket.ReceiveAsync(one, SocketFlags.None).WaitAsync(s_timeout);
            if (read == 0)
            {
                break;
            }

            head.Append((char)one[0]);
        }

        return head.ToString();
    }
}
