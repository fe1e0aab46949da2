using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using Gateway.Relay;

namespace Gateway.Tests.Relay;

public sealed partial class TunnelRelayTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ClientHalfClose_UpstreamSeesEndOfStreamAndCanStillAnswer(bool direct)
    {
        using var deadline = new CancellationTokenSource(RelayHarness.Deadline);
        await using RelayHarness harness = await RelayHarness.StartAsync(direct: direct);
        using Socket client = await SocketIo.ConnectAsync(harness.ProxyEndPoint, deadline.Token);
        using Socket upstream = await harness.AcceptUpstreamAsync(deadline.Token);

        await SocketIo.SendAsync(client, "request", deadline.Token);
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal(("request", false), await SocketIo.ReadToEndAsync(upstream, deadline.Token));

        await SocketIo.SendAsync(upstream, "response after your FIN", deadline.Token);
        upstream.Shutdown(SocketShutdown.Send);
        Assert.Equal(("response after your FIN", false), await SocketIo.ReadToEndAsync(client, deadline.Token));

        Assert.Equal(new RelayResult(7, 23, RelayEnd.Completed), await harness.Result);
    }

    [Fact]
    public async Task UpstreamHalfClose_ClientReadsEverythingThenEndOfStream()
    {
        using var deadline = new CancellationTokenSource(RelayHarness.Deadline);
        await using RelayHarness harness = await RelayHarness.StartAsync();
        using Socket client = await SocketIo.ConnectAsync(harness.ProxyEndPoint, deadline.Token);
        using Socket upstream = await harness.AcceptUpstreamAsync(deadline.Token);

        await SocketIo.SendAsync(upstream, "banner", deadline.Token);
        upstream.Shutdown(SocketShutdown.Send);

        Assert.Equal(("banner", false), await SocketIo.ReadToEndAsync(client, deadline.Token));
        // Kestrel closes the whole client socket once its output completes (dotnet/aspnetcore#14937),
        // so the client direction ends too: the upstream gets a clean FIN, not a reset.
        Assert.Equal(("", false), await SocketIo.ReadToEndAsync(upstream, deadline.Token));
        Assert.Equal(new RelayResult(0, 6, RelayEnd.Completed), await harness.Result);
    }

    [Fact]
    public async Task UpstreamHalfClose_OverATransportThatCanHalfClose_KeepsRelayingClientToUpstream()
    {
        using var deadline = new CancellationTokenSource(RelayHarness.Deadline);
        using var relay = new TunnelRelay();
        var client = new TestDuplexPipe();
        (Socket relaySide, Socket peer) = await SocketIo.PairAsync(deadline.Token);
        using Socket upstream = peer;
        Task<RelayResult> run = relay.RunAsync(client, relaySide, Timeout.InfiniteTimeSpan, deadline.Token).AsTask();

        await SocketIo.SendAsync(upstream, "banner", deadline.Token);
        upstream.Shutdown(SocketShutdown.Send);
        Assert.Equal("banner", await ReadToCompletionAsync(client.ToClient.Reader, deadline.Token));

        await client.FromClient.Writer.WriteAsync("sent after the upstream's FIN"u8.ToArray(), deadline.Token);
        await client.FromClient.Writer.CompleteAsync();
        Assert.Equal(("sent after the upstream's FIN", false), await SocketIo.ReadToEndAsync(upstream, deadline.Token));

        Assert.Equal(new RelayResult(29, 6, RelayEnd.Completed), await run.WaitAsync(deadline.Token));
    }

    private static async Task<string> ReadToCompletionAsync(PipeReader reader, CancellationToken cancellation)
    {
        while (true)
        {
            ReadResult read = await reader.ReadAsync(cancellation);
            if (read.IsCompleted)
            {
                string text = Encoding.ASCII.GetString(read.Buffer.ToArray());
                reader.AdvanceTo(read.Buffer.End);
                return text;
            }

            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }
}
