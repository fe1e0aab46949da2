using System.Net.Sockets;
using System.Security.Cryptography;
using Gateway.Relay;

namespace Gateway.Tests.Relay;

public sealed partial class TunnelRelayTests
{
    private const long BulkBytes = 100L * 1024 * 1024;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Bulk_100MiBEachWay_ArrivesIntact(bool direct)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using RelayHarness harness = await RelayHarness.StartAsync(direct: direct);
        using Socket client = await SocketIo.ConnectAsync(harness.ProxyEndPoint, deadline.Token);
        using Socket upstream = await harness.AcceptUpstreamAsync(deadline.Token);

        Task<string> clientSent = SendPatternAsync(client, seed: 1, afterSending: Task.CompletedTask, deadline.Token);
        Task<(string Hash, long Bytes)> upstreamReceived = HashToEndAsync(upstream, deadline.Token);
        // Kestrel cannot half-close the client socket: the upstream finishes only after the
        // client did, or Kestrel's close would cut the client's upload short.
        Task<string> upstreamSent = SendPatternAsync(upstream, seed: 2, afterSending: upstreamReceived, deadline.Token);
        Task<(string Hash, long Bytes)> clientReceived = HashToEndAsync(client, deadline.Token);

        Assert.Equal((await clientSent, BulkBytes), await upstreamReceived);
        Assert.Equal((await upstreamSent, BulkBytes), await clientReceived);
        Assert.Equal(new RelayResult(BulkBytes, BulkBytes, RelayEnd.Completed), await harness.Result.WaitAsync(deadline.Token));
        Assert.Equal(direct ? Splice.IsSupported : null, harness.Spliceable);
    }

    /// <summary>Sends <see cref="BulkBytes"/> of seeded pseudo-random data, then FIN; returns its SHA-256.</summary>
    private static async Task<string> SendPatternAsync(Socket socket, int seed, Task afterSending, CancellationToken cancellation)
    {
        var random = new Random(seed);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] block = new byte[64 * 1024 + seed * 7];
        for (long sent = 0; sent < BulkBytes;)
        {
            int length = (int)Math.Min(block.Length, BulkBytes - sent);
            random.NextBytes(block.AsSpan(0, length));
            hash.AppendData(block, 0, length);
            await socket.SendAsync(block.AsMemory(0, length), SocketFlags.None, cancellation);
            sent += length;
        }

        await afterSending.WaitAsync(cancellation);
        socket.Shutdown(SocketShutdown.Send);
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static async Task<(string Hash, long Bytes)> HashToEndAsync(Socket socket, CancellationToken cancellation)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[128 * 1024];
        long total = 0;
        while (true)
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellation);
            if (n == 0)
            {
                return (Convert.ToHexString(hash.GetHashAndReset()), total);
            }

            hash.AppendData(buffer, 0, n);
            total += n;
        }
    }
}
