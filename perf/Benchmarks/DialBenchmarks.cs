using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Gateway.Configuration;
using Gateway.Dialing;

namespace Benchmarks;

/// <summary>
/// One upstream dial per new tunnel (S3, S5 in perf/run.sh): <c>Dialer.ConnectAsync</c> to a
/// loopback listener, by a <c>resolve.hosts</c> name and by an IP literal, each a single address as
/// in the suite. The baseline is a bare <see cref="Socket.ConnectAsync(EndPoint, CancellationToken)"/>
/// with the same socket options: what any dialer must spend. <c>Allocated</c> is the dialer's
/// per-connection garbage on top of the socket itself (the difference to the baseline). The
/// listener's backlog is drained by an accept loop; every connected socket is closed at once with a
/// reset (<c>Close(0)</c>), so hundreds of thousands of dials leave no TIME_WAIT to exhaust the ports.
/// </summary>
public class DialBenchmarks
{
    private const string Name = "origin.example.test";

    private Socket _listener = null!;
    private Task _acceptLoop = Task.CompletedTask;
    private IPEndPoint _origin = null!;
    private Dialer _dialer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(512);
        _origin = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = Task.Run(AcceptAsync);
        _dialer = new Dialer(
            new ResolveConfig(new Dictionary<string, IPAddress> { [Name] = IPAddress.Loopback }.ToFrozenDictionary(StringComparer.Ordinal)),
            new EgressConfig([IPNetwork.Parse("127.0.0.0/8")]),
            TimeSpan.FromSeconds(10));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _listener.Dispose();
        _acceptLoop.Wait(TimeSpan.FromSeconds(5));
    }

    [Benchmark(Baseline = true, Description = "bare Socket.ConnectAsync")]
    public async Task Baseline_SocketConnect()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(_origin, CancellationToken.None).ConfigureAwait(false);
        socket.Close(0);
    }

    [Benchmark(Description = "Dialer, resolve.hosts name")]
    public async Task Dial_PinnedName()
    {
        DialResult result = await _dialer.ConnectAsync(Name, _origin.Port, DialPermissions.None, CancellationToken.None).ConfigureAwait(false);
        (result.Socket ?? throw new InvalidOperationException("dial failed: " + result.Error)).Close(0);
    }

    [Benchmark(Description = "Dialer, IP literal")]
    public async Task Dial_IpLiteral()
    {
        DialResult result = await _dialer.ConnectAsync("127.0.0.1", _origin.Port, DialPermissions.None, CancellationToken.None).ConfigureAwait(false);
        (result.Socket ?? throw new InvalidOperationException("dial failed: " + result.Error)).Close(0);
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                (await _listener.AcceptAsync().ConfigureAwait(false)).Dispose();
            }
        }
        catch (SocketException)
        {
            // the listener closed: GlobalCleanup
        }
        catch (ObjectDisposedException)
        {
            // the same, reported differently
        }
    }
}
