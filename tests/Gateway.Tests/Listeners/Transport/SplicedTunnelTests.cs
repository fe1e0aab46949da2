using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Gateway.Configuration;
using Gateway.Listeners.Transport;
using Gateway.Tests.Listeners;
using Gateway.Tests.Interception;
using Gateway.Tests.Relay;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Listeners.Transport;

/// <summary>
/// CONNECT tunnels on the gateway's own transport (<c>listen.transport: gateway</c>), where both directions are spliced
/// once the tunnel is decided: what the head reader had already read goes first, every byte arrives
/// intact, FIN crosses each way on its own, and a client's reset is passed on quietly.
/// </summary>
public sealed class SplicedTunnelTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly CapturedLogs _logs = new();
    private GatewayUnderTest _gateway = null!;
    private Socket _upstreamListener = null!;
    private int _upstreamPort;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayUnderTest.StartAsync(
            [["policy", "set-default", "deny-all"], ["policy", "allow", "network", "api.example.test"]],
            config => config with { Listen = config.Listen with { Transport = ListenTransport.Gateway } },
            logging: l => l.SetMinimumLevel(LogLevel.Debug).AddProvider(_logs));
        _upstreamListener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _upstreamListener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _upstreamListener.Listen(16);
        _upstreamPort = ((IPEndPoint)_upstreamListener.LocalEndPoint!).Port;
    }

    public async Task DisposeAsync()
    {
        _upstreamListener.Dispose();
        await _gateway.DisposeAsync();
    }

    [Fact]
    public void TheForwardListener_RunsOnTheGatewaysOwnTransport()
    {
        GatewayTransportFactory? transport = _gateway.Services.GetServices<IConnectionListenerFactory>().OfType<GatewayTransportFactory>().SingleOrDefault();

        Assert.NotNull(transport);
    }

    [Fact]
    public async Task BytesPipelinedAfterTheConnectHead_ReachTheUpstreamBeforeTheRest()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        (Socket client, Socket upstream) = await OpenTunnelAsync(deadline.Token, pipelined: "sent with the head;");
        using (client)
        using (upstream)
        {
            await SocketIo.SendAsync(client, "sent after it", deadline.Token);
            client.Shutdown(SocketShutdown.Send);

            Assert.Equal(("sent with the head;sent after it", false), await SocketIo.ReadToEndAsync(upstream, deadline.Token));
        }
    }

    [Fact]
    public async Task OneMiBEachWay_AtOnce_ArrivesByteExact()
    {
        const int Size = 1024 * 1024;
        using var deadline = new CancellationTokenSource(Deadline);
        (Socket client, Socket upstream) = await OpenTunnelAsync(deadline.Token);
        using (client)
        using (upstream)
        {
            byte[] upload = RandomNumberGenerator.GetBytes(Size);
            byte[] download = RandomNumberGenerator.GetBytes(Size);
            Task<byte[]> uploaded = ReceiveAllAsync(upstream, deadline.Token);
            Task<byte[]> downloaded = ReceiveAllAsync(client, deadline.Token);
            Task sendUp = SendAndFinishAsync(client, upload, deadline.Token);
            Task sendDown = SendAndFinishAsync(upstream, download, deadline.Token);
            await Task.WhenAll(sendUp, sendDown);

            Assert.Equal(upload, await uploaded);
            Assert.Equal(download, await downloaded);
        }
    }

    [Fact]
    public async Task ClientHalfClosesFirst_TheUpstreamStillAnswersOnTheOpenHalf()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        (Socket client, Socket upstream) = await OpenTunnelAsync(deadline.Token);
        using (client)
        using (upstream)
        {
            await SocketIo.SendAsync(client, "question", deadline.Token);
            client.Shutdown(SocketShutdown.Send);
            Assert.Equal(("question", false), await SocketIo.ReadToEndAsync(upstream, deadline.Token));

            await SocketIo.SendAsync(upstream, "answer after the client's FIN", deadline.Token);
            upstream.Shutdown(SocketShutdown.Send);
            Assert.Equal(("answer after the client's FIN", false), await SocketIo.ReadToEndAsync(client, deadline.Token));
        }
    }

    [Fact]
    public async Task UpstreamHalfClosesFirst_TheClientStillSendsOnTheOpenHalf()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        (Socket client, Socket upstream) = await OpenTunnelAsync(deadline.Token);
        using (client)
        using (upstream)
        {
            await SocketIo.SendAsync(upstream, "banner", deadline.Token);
            upstream.Shutdown(SocketShutdown.Send);
            Assert.Equal(("banner", false), await SocketIo.ReadToEndAsync(client, deadline.Token));

            await SocketIo.SendAsync(client, "sent after the upstream's FIN", deadline.Token);
            client.Shutdown(SocketShutdown.Send);
            Assert.Equal(("sent after the upstream's FIN", false), await SocketIo.ReadToEndAsync(upstream, deadline.Token));
        }
    }

    [Fact]
    public async Task ClientResetMidTunnel_ReachesTheUpstream_AndLeavesNothingAboveDebug()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        (Socket client, Socket upstream) = await OpenTunnelAsync(deadline.Token);
        using (upstream)
        {
            await SocketIo.SendAsync(client, "some bytes", deadline.Token);
            Assert.Equal("some bytes", await SocketIo.ReceiveExactlyAsync(upstream, 10, deadline.Token));
            client.LingerState = new LingerOption(true, 0);
            client.Dispose(); // RST

            // The upstream sees the tunnel end (reset or FIN), never a hang.
            await SocketIo.ReadToEndAsync(upstream, deadline.Token);
        }

        await WaitForTunnelLogAsync(deadline.Token);
        AssertNothingAboveDebug();
    }

    [Fact]
    public async Task ClientResetMidHead_LeavesNothingAboveDebug_AndTheListenerServesTheNext()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        using (Socket client = await SocketIo.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _gateway.Port), deadline.Token))
        {
            await SocketIo.SendAsync(client, "CONNECT api.example.te", deadline.Token);
            client.LingerState = new LingerOption(true, 0);
        }

        (Socket next, Socket upstream) = await OpenTunnelAsync(deadline.Token);
        next.Dispose();
        upstream.Dispose();
        AssertNothingAboveDebug();
    }

    private async Task<(Socket Client, Socket Upstream)> OpenTunnelAsync(CancellationToken cancellation, string pipelined = "")
    {
        Socket client = await SocketIo.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _gateway.Port), cancellation);
        Task<Socket> accepted = _upstreamListener.AcceptAsync(cancellation).AsTask();
        await SocketIo.SendAsync(client, $"CONNECT api.example.test:{_upstreamPort} HTTP/1.1\r\nHost: api.example.test:{_upstreamPort}\r\n\r\n{pipelined}", cancellation);
        const string Established = "HTTP/1.1 200 Connection established\r\n\r\n";
        Assert.Equal(Established, await SocketIo.ReceiveExactlyAsync(client, Established.Length, cancellation));
        return (client, await accepted);
    }

    private static async Task SendAndFinishAsync(Socket socket, byte[] bytes, CancellationToken cancellation)
    {
        await socket.SendAsync(bytes, SocketFlags.None, cancellation);
        socket.Shutdown(SocketShutdown.Send);
    }

    private static async Task<byte[]> ReceiveAllAsync(Socket socket, CancellationToken cancellation)
    {
        using var received = new MemoryStream();
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellation)) > 0)
        {
            received.Write(buffer, 0, n);
        }

        return received.ToArray();
    }

    // The tunnel's Debug line is written once the relay finished: the reset was handled by then.
    private async Task WaitForTunnelLogAsync(CancellationToken cancellation)
    {
        while (!_logs.ToString().Contains("CONNECT api.example.test:" + _upstreamPort + " allowed", StringComparison.Ordinal))
        {
            await Task.Delay(20, cancellation);
        }
    }

    private void AssertNothingAboveDebug()
    {
        string[] loud = _logs.ToString().Split('\n')
            .Where(line => line.StartsWith("Warning", StringComparison.Ordinal) || line.StartsWith("Error", StringComparison.Ordinal) || line.StartsWith("Critical", StringComparison.Ordinal))
            .ToArray();
        Assert.True(loud.Length == 0, string.Join('\n', loud));
    }
}
