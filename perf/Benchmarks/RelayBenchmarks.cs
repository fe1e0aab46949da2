using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Gateway.Relay;

namespace Benchmarks;

/// <summary>
/// <see cref="TunnelRelay"/> moving 16 KiB chunks between a loopback socket pair (the upstream)
/// and a pair of <see cref="Pipe"/>s sized like Kestrel's (the client transport). Budget: 0 B
/// allocated per chunk. The chunk benchmarks run through one tunnel opened in
/// <see cref="Setup"/> and kept for the whole run, so per-chunk figures carry no per-tunnel cost;
/// <see cref="Tunnel_OpenRelayOneChunkEachWayClose"/> shows that fixed per-tunnel cost apart.
/// The harness's own loops use pooled async builders so that they allocate nothing either.
/// </summary>
public class RelayBenchmarks
{
    private const int ChunkSize = 16 * 1024;
    private const int Chunks = 1024;
    private const long BytesPerDirection = (long)ChunkSize * Chunks;

    private readonly byte[] _chunk = new byte[ChunkSize];
    private readonly byte[] _sink = new byte[64 * 1024];
    private readonly byte[] _peerSink = new byte[64 * 1024];
    private TunnelRelay _relay = null!;
    private Socket _listener = null!;

    // The long-lived tunnel.
    private BenchDuplexPipe _client = null!;
    private Socket _peer = null!;
    private Task<RelayResult> _tunnel = null!;

    // The long-lived tunnel whose relay has the client's socket (what the listeners pass):
    // upstream → client bytes spliced past the client pipe.
    private BenchDuplexPipe _splicedClient = null!;
    private Socket _splicedPeer = null!;
    private Socket _splicedClientFar = null!;
    private Task<RelayResult> _splicedTunnel = null!;
    private bool _spliceable;

    // The baseline: the same bytes socket to socket, no relay.
    private Socket _directSender = null!;
    private Socket _directReceiver = null!;

    // A fresh tunnel per iteration for the per-tunnel cost.
    private BenchDuplexPipe _freshClient = null!;
    private Socket _freshRelaySide = null!;
    private Socket _freshPeer = null!;

    [GlobalSetup]
    public void Setup()
    {
        new Random(42).NextBytes(_chunk);
        _relay = new TunnelRelay();
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(8);

        (_directSender, _directReceiver) = Pair();
        (Socket relaySide, _peer) = Pair();
        _client = new BenchDuplexPipe();
        _tunnel = _relay.RunAsync(_client, relaySide, TimeSpan.FromMinutes(30), CancellationToken.None).AsTask();

        (Socket splicedRelaySide, _splicedPeer) = Pair();
        (Socket clientRelaySide, _splicedClientFar) = Pair();
        // Kestrel's and the Dialer's sockets are non-blocking (used asynchronously) by the time
        // they reach the relay, which splices only such sockets; these were connected synchronously.
        splicedRelaySide.Blocking = false;
        clientRelaySide.Blocking = false;
        _spliceable = Splice.CanSplice(splicedRelaySide, clientRelaySide);
        _splicedClient = new BenchDuplexPipe();
        _splicedTunnel = _relay.RunAsync(_splicedClient, splicedRelaySide, TimeSpan.FromMinutes(30), CancellationToken.None, clientRelaySide).AsTask();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.FromClient.Writer.Complete();
        _peer.Shutdown(SocketShutdown.Send);
        RelayResult result = _tunnel.WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        Console.WriteLine($"// Long-lived tunnel: {result}");
        _splicedClient.FromClient.Writer.Complete();
        _splicedPeer.Shutdown(SocketShutdown.Send);
        while (_splicedClientFar.Receive(_sink) > 0)
        {
        }

        result = _splicedTunnel.WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        Console.WriteLine($"// Long-lived spliced tunnel ({(_spliceable ? "spliced" : "copied")}): {result}");
        _splicedPeer.Dispose();
        _splicedClientFar.Dispose();
        _peer.Dispose();
        _directSender.Dispose();
        _directReceiver.Dispose();
        _listener.Dispose();
        _relay.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Chunks, Description = "socket to socket, no relay")]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask Direct_SocketToSocket()
    {
        ValueTask send = SendChunksAsync(_directSender);
        await ReceiveAsync(_directReceiver, _sink);
        await send;
    }

    [Benchmark(OperationsPerInvoke = Chunks)]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ClientToUpstream()
    {
        ValueTask write = WriteChunksAsync(_client.FromClient.Writer);
        await ReceiveAsync(_peer, _peerSink);
        await write;
    }

    [Benchmark(OperationsPerInvoke = Chunks)]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask UpstreamToClient()
    {
        ValueTask send = SendChunksAsync(_peer);
        await DrainAsync(_client.ToClient.Reader);
        await send;
    }

    /// <summary>Upstream → client when the relay has the client's socket: spliced on Linux, no client pipe.</summary>
    [Benchmark(OperationsPerInvoke = Chunks)]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask UpstreamToClient_Spliced()
    {
        ValueTask send = SendChunksAsync(_splicedPeer);
        await ReceiveAsync(_splicedClientFar, _sink);
        await send;
    }

    [Benchmark(OperationsPerInvoke = 2 * Chunks)]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask BothWays()
    {
        ValueTask write = WriteChunksAsync(_client.FromClient.Writer);
        ValueTask send = SendChunksAsync(_peer);
        ValueTask receive = ReceiveAsync(_peer, _peerSink);
        await DrainAsync(_client.ToClient.Reader);
        await receive;
        await send;
        await write;
    }

    [IterationSetup(Target = nameof(Tunnel_OpenRelayOneChunkEachWayClose))]
    public void FreshTunnel()
    {
        (_freshRelaySide, _freshPeer) = Pair();
        _freshClient = new BenchDuplexPipe();
    }

    /// <summary>
    /// One whole tunnel: relay one chunk each way, both sides FIN, relay returns. Its allocation is
    /// the fixed per-tunnel cost (the session, the loops' state machines, the socket's cached
    /// awaitable event args on first use). The peer uses blocking calls so it adds nothing.
    /// </summary>
    [Benchmark(OperationsPerInvoke = 1)]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask Tunnel_OpenRelayOneChunkEachWayClose()
    {
        ValueTask<RelayResult> run = _relay.RunAsync(_freshClient, _freshRelaySide, TimeSpan.FromMinutes(30), CancellationToken.None);
        await _freshClient.FromClient.Writer.WriteAsync(_chunk);
        _freshClient.FromClient.Writer.Complete();
        _freshPeer.Send(_chunk);
        _freshPeer.Shutdown(SocketShutdown.Send);
        while (_freshPeer.Receive(_peerSink) > 0)
        {
        }

        while (true)
        {
            ReadResult read = await _freshClient.ToClient.Reader.ReadAsync();
            _freshClient.ToClient.Reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                break;
            }
        }

        await run;
        _freshPeer.Dispose();
    }

    private (Socket Near, Socket Far) Pair()
    {
        var near = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        near.Connect(_listener.LocalEndPoint!);
        Socket far = _listener.Accept();
        far.NoDelay = true;
        return (near, far);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendChunksAsync(Socket socket)
    {
        for (int i = 0; i < Chunks; i++)
        {
            await socket.SendAsync(_chunk.AsMemory(), SocketFlags.None);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteChunksAsync(PipeWriter writer)
    {
        for (int i = 0; i < Chunks; i++)
        {
            await writer.WriteAsync(_chunk.AsMemory());
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask ReceiveAsync(Socket socket, byte[] sink)
    {
        for (long received = 0; received < BytesPerDirection;)
        {
            received += await socket.ReceiveAsync(sink.AsMemory(), SocketFlags.None);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask DrainAsync(PipeReader reader)
    {
        for (long received = 0; received < BytesPerDirection;)
        {
            ReadResult read = await reader.ReadAsync();
            received += read.Buffer.Length;
            reader.AdvanceTo(read.Buffer.End);
        }
    }
}
