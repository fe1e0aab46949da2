using System.Net.Sockets;
using Gateway.Relay;

namespace Gateway.Tests.Relay;

/// <summary>
/// <see cref="TunnelRelay"/> on a real Kestrel listener, real loopback sockets on both sides.
/// Every await carries <see cref="RelayHarness.Deadline"/>; nothing asserts on timing.
/// </summary>
public sealed partial class TunnelRelayTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Echo_RoundTripsThenBothSidesFinish(bool direct)
    {
        using var deadline = new CancellationTokenSource(RelayHarness.Deadline);
        await using RelayHarness harness = await RelayHarness.StartAsync(direct: direct);
        using Socket client = await SocketIo.ConnectAsync(harness.ProxyEndPoint, deadline.Token);
        using Socket upstream = await harness.AcceptUpstreamAsync(deadline.Token);

        await SocketIo.SendAsync(client, "ping", deadline.Token);
        string atUpstream = await SocketIo.ReceiveExactlyAsync(upstream, 4, deadline.Token);
        await SocketIo.SendAsync(upstream, atUpstream, deadline.Token);
        Assert.Equal("ping", await SocketIo.ReceiveExactlyAsync(client, 4, deadline.Token));

        client.Shutdown(SocketShutdown.Send);
        Assert.Equal(("", false), await SocketIo.ReadToEndAsync(upstream, deadline.Token));
        upstream.Shutdown(SocketShutdown.Send);
        Assert.Equal(("", false), await SocketIo.ReadToEndAsync(client, deadline.Token));

        Assert.Equal(new RelayResult(4, 4, RelayEnd.Completed), await harness.Result);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BytesPipelinedAfterTheConsumedHead_AreRelayedFirst(bool direct)
    {
        using var deadline = new CancellationTokenSource(RelayHarness.Deadline);
        await using RelayHarness harness = await RelayHarness.StartAsync(consumeHeadLine: true, direct: direct);
        using Socket client = await SocketIo.ConnectAsync(harness.ProxyEndPoint, deadline.Token);
        using Socket upstream = await harness.AcceptUpstreamAsync(deadline.Token);

        // One send: the middleware's first read holds the head line and the pipelined bytes together.
        await SocketIo.SendAsync(client, "CONNECT example.test:443 HTTP/1.1\r\n\u0016\u0003\u0001client-hello", deadline.Token);
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal(("\u0016\u0003\u0001client-hello", false), await SocketIo.ReadToEndAsync(upstream, deadline.Token));
        upstream.Shutdown(SocketShutdown.Send);
        Assert.Equal(("", false), await SocketIo.ReadToEndAsync(client, deadline.Token));
        Assert.Equal(new RelayResult(15, 0, RelayEnd.Completed), await harness.Result);
    }

    [Fact]
    public async Task RunAsync_RejectsANegativeIdleTimeoutWithoutTakingTheSocket()
    {
        using var relay = new TunnelRelay();
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => relay.RunAsync(new TestDuplexPipe(), socket, TimeSpan.FromSeconds(-1), CancellationToken.None).AsTask());
        Assert.False(socket.SafeHandle.IsClosed);
    }
}
