using System.Net.Sockets;
using System.Security.Cryptography;
using Gateway.Relay;

namespace Gateway.Tests.Relay;

/// <summary>
/// The direct upstream → client path: what it does that the pipe path cannot (a real
/// half-close), and the cases only it has: a client that stops reading (the splice would block:
/// the relay falls back to a send that waits) and kernel pipes shared between tunnels. Each runs
/// spliced (<c>copying: false</c>, on Linux) and over a blocking upstream the relay must not
/// splice, which takes the copying fallback (also what runs when no pipe can be created).
/// </summary>
public sealed partial class TunnelRelayTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Direct_UpstreamHalfClose_ClientReadsEverythingThenEndOfStreamAndCanStillSend(bool copying)
    {
        using var deadline = new CancellationTokenSource(RelayHarness.Deadline);
        await using RelayHarness harness = await RelayHarness.StartAsync(direct: true, blockingUpstream: copying);
        using Socket client = await SocketIo.ConnectAsync(harness.ProxyEndPoint, deadline.Token);
        using Socket upstream = await harness.AcceptUpstreamAsync(deadline.Token);

        await SocketIo.SendAsync(upstream, "banner", deadline.Token);
        upstream.Shutdown(SocketShutdown.Send);
        Assert.Equal(("banner", false), await SocketIo.ReadToEndAsync(client, deadline.Token));

        // The client's socket was only half-closed: the other direction still relays.
        await SocketIo.SendAsync(client, "sent after the upstream's FIN", deadline.Token);
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal(("sent after the upstream's FIN", false), await SocketIo.ReadToEndAsync(upstream, deadline.Token));
        Assert.Equal(new RelayResult(29, 6, RelayEnd.Completed), await harness.Result);
        Assert.Equal(Splice.IsSupported && !copying, harness.Spliceable);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Direct_ClientThatReadsOnlyOnceTheBuffersAreFull_ReceivesEverythingIntact(bool copying)
    {
        const long Size = 32L * 1024 * 1024;
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using RelayHarness harness = await RelayHarness.StartAsync(direct: true, blockingUpstream: copying);
        using Socket client = await SocketIo.ConnectAsync(harness.ProxyEndPoint, deadline.Token);
        using Socket upstream = await harness.AcceptUpstreamAsync(deadline.Token);

        // More than the socket buffers usually hold before the client reads: the relay's splices
        // into the client meet a full send buffer and take the buffered fallback. The pause only
        // gives the buffers time to fill; nothing is asserted about it.
        Task<string> sent = SendSeededAsync(upstream, seed: 3, Size, deadline.Token);
        await Task.WhenAny(sent, Task.Delay(TimeSpan.FromMilliseconds(300), deadline.Token));
        (string hash, long bytes) = await HashToEndAsync(client, deadline.Token);

        Assert.Equal((await sent, Size), (hash, bytes));
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal(new RelayResult(0, Size, RelayEnd.Completed), await harness.Result.WaitAsync(deadline.Token));
        Assert.Equal(Splice.IsSupported && !copying, harness.Spliceable);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Direct_IdleTimeout_EndsATunnelWhoseClientStoppedReading(bool copying)
    {
        using var deadline = new CancellationTokenSource(RelayHarness.Deadline);
        await using RelayHarness harness = await RelayHarness.StartAsync(idleTimeout: TimeSpan.FromMilliseconds(300), direct: true, blockingUpstream: copying);
        using Socket client = await SocketIo.ConnectAsync(harness.ProxyEndPoint, deadline.Token);
        using Socket upstream = await harness.AcceptUpstreamAsync(deadline.Token);

        // The client never reads: the relay ends up waiting in a send to it, and the idle
        // heartbeat must be able to wake that send.
        Task flood = SendSeededAsync(upstream, seed: 4, 64L * 1024 * 1024, deadline.Token);
        RelayResult result = await harness.Result;

        Assert.Equal(RelayEnd.IdleTimeout, result.End);
        Assert.Equal(Splice.IsSupported && !copying, harness.Spliceable);
        Assert.True(result.BytesToClient > 0);
        upstream.Dispose();
        await Record.ExceptionAsync(() => flood);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Direct_ConcurrentTunnels_EachReceivesOnlyItsOwnBytes(bool copying)
    {
        const int Tunnels = 16;
        const long Size = 3L * 1024 * 1024;
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using RelayHarness harness = await RelayHarness.StartAsync(direct: true, blockingUpstream: copying);

        // Rounds of concurrent tunnels: later ones reuse the kernel pipes the earlier ones returned.
        for (int round = 0; round < 3; round++)
        {
            var clients = new Socket[Tunnels];
            var upstreams = new Socket[Tunnels];
            var transfers = new Task[Tunnels];
            try
            {
                for (int i = 0; i < Tunnels; i++)
                {
                    // One at a time, so the upstream accepted next is this client's.
                    clients[i] = await SocketIo.ConnectAsync(harness.ProxyEndPoint, deadline.Token);
                    upstreams[i] = await harness.AcceptUpstreamAsync(deadline.Token);
                }

                for (int i = 0; i < Tunnels; i++)
                {
                    transfers[i] = TransferAsync(clients[i], upstreams[i], (round * Tunnels) + i, deadline.Token);
                }

                await Task.WhenAll(transfers);
                Assert.Equal(Splice.IsSupported && !copying, harness.Spliceable);
            }
            finally
            {
                foreach (Socket? socket in clients.Concat(upstreams))
                {
                    socket?.Dispose();
                }
            }
        }

        static async Task TransferAsync(Socket client, Socket upstream, int seed, CancellationToken cancellation)
        {
            Task<string> sent = SendSeededAsync(upstream, seed, Size, cancellation);
            (string hash, long bytes) = await HashToEndAsync(client, cancellation);
            Assert.Equal((await sent, Size), (hash, bytes));
        }
    }

    /// <summary>Sends <paramref name="size"/> bytes of seeded pseudo-random data, then FIN; returns their SHA-256.</summary>
    private static async Task<string> SendSeededAsync(Socket socket, int seed, long size, CancellationToken cancellation)
    {
        var random = new Random(seed);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] block = new byte[(64 * 1024) + (seed * 13)];
        for (long sent = 0; sent < size;)
        {
            int length = (int)Math.Min(block.Length, size - sent);
            random.NextBytes(block.AsSpan(0, length));
            hash.AppendData(block, 0, length);
            await socket.SendAsync(block.AsMemory(0, length), SocketFlags.None, cancellation);
            sent += length;
        }

        socket.Shutdown(SocketShutdown.Send);
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
