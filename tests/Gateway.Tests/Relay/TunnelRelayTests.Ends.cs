using System.Net.Sockets;
using Gateway.Relay;

namespace Gateway.Tests.Relay;

public sealed partial class TunnelRelayTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UpstreamReset_ClosesTheClientConnection(bool direct)
    {
        using var deadline = new CancellationTokenSource(RelayHarness.Deadline);
        await using RelayHarness harness = await RelayHarness.StartAsync(direct: direct);
        using Socket client = await SocketIo.ConnectAsync(harness.ProxyEndPoint, deadline.Token);
        Socket upstream = await harness.AcceptUpstreamAsync(deadline.Token);

        await SocketIo.SendAsync(client, "hello", deadline.Token);
        Assert.Equal("hello", await SocketIo.ReceiveExactlyAsync(upstream, 5, deadline.Token));
        upstream.Close(timeout: 0);

        (string text, _) = await SocketIo.ReadToEndAsync(client, deadline.Token);
        Assert.Equal("", text);
        RelayResult result = await harness.Result;
        Assert.Equal(RelayEnd.UpstreamReset, result.End);
        Assert.Equal(5, result.BytesFromClient);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ClientReset_ResetsTheUpstream(bool direct)
    {
        using var deadline = new CancellationTokenSource(RelayHarness.Deadline);
        await using RelayHarness harness = await RelayHarness.StartAsync(direct: direct);
        Socket client = await SocketIo.ConnectAsync(harness.ProxyEndPoint, deadline.Token);
        using Socket upstream = await harness.AcceptUpstreamAsync(deadline.Token);

        await SocketIo.SendAsync(client, "hello", deadline.Token);
        Assert.Equal("hello", await SocketIo.ReceiveExactlyAsync(upstream, 5, deadline.Token));
        client.Close(timeout: 0);

        Assert.Equal(("", true), await SocketIo.ReadToEndAsync(upstream, deadline.Token));
        Assert.Equal(new RelayResult(5, 0, RelayEnd.ClientReset), await harness.Result);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task IdleTimeout_ClosesBothSides(bool direct)
    {
        using var deadline = new CancellationTokenSource(RelayHarness.Deadline);
        await using RelayHarness harness = await RelayHarness.StartAsync(idleTimeout: TimeSpan.FromMilliseconds(200), direct: direct);
        using Socket client = await SocketIo.ConnectAsync(harness.ProxyEndPoint, deadline.Token);
        using Socket upstream = await harness.AcceptUpstreamAsync(deadline.Token);

        await SocketIo.SendAsync(client, "one", deadline.Token);
        Assert.Equal("one", await SocketIo.ReceiveExactlyAsync(upstream, 3, deadline.Token));

        // Then silence: the relay closes both sides with a FIN.
        Assert.Equal(("", false), await SocketIo.ReadToEndAsync(client, deadline.Token));
        Assert.Equal(("", false), await SocketIo.ReadToEndAsync(upstream, deadline.Token));
        Assert.Equal(new RelayResult(3, 0, RelayEnd.IdleTimeout), await harness.Result);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Cancellation_ClosesBothSides(bool direct)
    {
        using var deadline = new CancellationTokenSource(RelayHarness.Deadline);
        await using RelayHarness harness = await RelayHarness.StartAsync(direct: direct);
        using Socket client = await SocketIo.ConnectAsync(harness.ProxyEndPoint, deadline.Token);
        using Socket upstream = await harness.AcceptUpstreamAsync(deadline.Token);
        await SocketIo.SendAsync(upstream, "hi", deadline.Token);
        Assert.Equal("hi", await SocketIo.ReceiveExactlyAsync(client, 2, deadline.Token));

        await harness.RelayCancellation.CancelAsync();

        Assert.Equal(("", false), await SocketIo.ReadToEndAsync(client, deadline.Token));
        Assert.Equal(("", false), await SocketIo.ReadToEndAsync(upstream, deadline.Token));
        Assert.Equal(new RelayResult(0, 2, RelayEnd.Cancelled), await harness.Result);
    }
}
