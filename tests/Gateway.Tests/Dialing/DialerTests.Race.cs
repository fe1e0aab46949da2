using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Gateway.Configuration;
using Gateway.Dialing;

namespace Gateway.Tests.Dialing;

public partial class DialerTests
{
    [Fact]
    public async Task AConnectThatCompletesWhileTheRaceLooks_IsStillTheWinner()
    {
        // A connect finishing on another thread between the race's two looks at it (harvest,
        // then collecting what to wait on) once made the race give up with "unreachable" and
        // close the connected socket: loopback connects under load hit that window (CI). A
        // spinning thread completes each connect 0-2 µs after it started, which sweeps that
        // sub-microsecond window thousands of times.
        const int Dials = 20_000;
        var started = new ConcurrentQueue<(TaskCompletionSource Connected, long Due)>();
        using var stop = new CancellationTokenSource();
        var completer = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (started.TryDequeue(out var next))
                {
                    while (System.Diagnostics.Stopwatch.GetTimestamp() < next.Due)
                    {
                    }

                    next.Connected.SetResult();
                }
            }
        }) { IsBackground = true };
        completer.Start();
        long window = System.Diagnostics.Stopwatch.Frequency / 500_000;
        Dialer dialer = Create(
            egress: s_loopbackOpen,
            connect: (_, _, _) =>
            {
                var connected = new TaskCompletionSource();
                started.Enqueue((connected, System.Diagnostics.Stopwatch.GetTimestamp() + Random.Shared.NextInt64(window)));
                return new ValueTask(connected.Task);
            });

        var failures = new Dictionary<EgressError, int>();
        try
        {
            for (int i = 0; i < Dials; i++)
            {
                DialResult result = await dialer.ConnectAsync("127.0.0.1", 9, DialPermissions.None, default).AsTask().WaitAsync(s_wait);

                // This continuation runs inline on the completer thread: move off it (the next
                // dial, or the Join below, must not run there).
                await Task.Yield();
                result.Socket?.Dispose();
                if (result.Error != EgressError.None)
                {
                    failures[result.Error] = failures.GetValueOrDefault(result.Error) + 1;
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            completer.Join();
        }

        Assert.Empty(failures);
    }

    [Fact]
    public async Task FirstAddressBlackHoled_SecondWins_AndTheLoserIsCancelledAndClosed()
    {
        using var upstream = Upstream();
        int port = Port(upstream);
        var losers = new ConcurrentQueue<(Socket Socket, Task Cancelled)>();
        Dialer dialer = Create(
            egress: s_loopbackOpen,
            resolver: Answers("127.0.0.2", "127.0.0.1"),
            connect: (socket, endPoint, cancellationToken) =>
            {
                if (endPoint.Address.Equals(IPAddress.Parse("127.0.0.2")))
                {
                    // A black hole: the SYN is never answered; only cancellation ends it.
                    Task hang = Task.Delay(Timeout.Infinite, cancellationToken);
                    losers.Enqueue((socket, hang));
                    return new ValueTask(hang);
                }

                return LoopbackOnly(socket, endPoint, cancellationToken);
            });

        DialResult result = await dialer.ConnectAsync("eyeballs.example.test", port, DialPermissions.None, default).AsTask().WaitAsync(s_wait);

        (Socket loser, Task cancelled) = Assert.Single(losers);
        await AssertConnectedAsync(result, upstream, IPAddress.Loopback);
        Assert.True(cancelled.IsCanceled);
        Assert.True(loser.SafeHandle.IsClosed);
    }

    [Fact]
    public async Task FirstAddressARealBlackHole_SecondWins()
    {
        using var upstream = Upstream();
        int port = Port(upstream);
        using var blackHole = new BlackHoleListener(IPAddress.Parse("127.0.0.2"), port);
        await blackHole.FillAsync().WaitAsync(s_wait);

        DialResult result = await Create(egress: s_loopbackOpen, resolver: Answers("127.0.0.2", "127.0.0.1"))
            .ConnectAsync("eyeballs.example.test", port, DialPermissions.None, default).AsTask().WaitAsync(s_wait);

        await AssertConnectedAsync(result, upstream, IPAddress.Loopback);
    }

    [Fact]
    public async Task FirstAddressRefused_NextIsTriedAtOnce_AndWins()
    {
        using var upstream = Upstream();
        int port = Port(upstream);
        var dialled = new ConcurrentQueue<IPEndPoint>();

        // Nothing listens on 127.0.0.3:port, so the kernel answers the first SYN with a reset.
        DialResult result = await Create(egress: s_loopbackOpen, resolver: Answers("127.0.0.3", "127.0.0.1"), connect: Recording(dialled))
            .ConnectAsync("eyeballs.example.test", port, DialPermissions.None, default).AsTask().WaitAsync(s_wait);

        await AssertConnectedAsync(result, upstream, IPAddress.Loopback);
        Assert.Equal([IPAddress.Parse("127.0.0.3"), IPAddress.Loopback], dialled.Select(e => e.Address));
    }

    [Fact]
    public async Task AddressFamilies_AreInterleaved_StartingWithTheFirstAnswer()
    {
        var dialled = new ConcurrentQueue<IPAddress>();
        Dialer dialer = Create(
            egress: s_loopbackOpen,
            resolver: Answers("127.0.0.2", "127.0.0.3", "127.0.0.4", "::1"),
            connect: (_, endPoint, _) =>
            {
                dialled.Enqueue(endPoint.Address);
                throw new SocketException((int)SocketError.ConnectionRefused);
            });

        DialResult result = await dialer.ConnectAsync("eyeballs.example.test", 9, DialPermissions.None, default).AsTask().WaitAsync(s_wait);

        Assert.Equal(EgressError.ConnectionRefused, result.Error);
        string[] expected = Socket.OSSupportsIPv6
            ? ["127.0.0.2", "::1", "127.0.0.3", "127.0.0.4"]
            : ["127.0.0.2", "127.0.0.3", "127.0.0.4"];
        Assert.Equal(expected, dialled.Select(a => a.ToString()));
    }

    [Fact]
    public async Task EveryAttemptUnreachable_IsUnreachable()
    {
        Dialer dialer = Create(
            egress: s_loopbackOpen,
            resolver: Answers("127.0.0.2", "127.0.0.3"),
            connect: static (_, _, _) => throw new SocketException((int)SocketError.NetworkUnreachable));

        DialResult result = await dialer.ConnectAsync("eyeballs.example.test", 9, DialPermissions.None, default).AsTask().WaitAsync(s_wait);

        Assert.Equal(EgressError.Unreachable, result.Error);
        Assert.Equal(502, EgressErrors.StatusCode(result.Error));
    }

    [Fact]
    public async Task ListenerThatNeverAnswers_IsTimeout_AndEverySocketIsClosed()
    {
        var sockets = new ConcurrentQueue<Socket>();
        Dialer dialer = Create(
            egress: s_loopbackOpen,
            connectTimeout: TimeSpan.FromMilliseconds(400),
            resolver: Answers("127.0.0.2", "127.0.0.3", "127.0.0.4"),
            connect: (socket, _, cancellationToken) =>
            {
                sockets.Enqueue(socket);
                return new ValueTask(Task.Delay(Timeout.Infinite, cancellationToken));
            });

        DialResult result = await dialer.ConnectAsync("slow.example.test", 9, DialPermissions.None, default).AsTask().WaitAsync(s_wait);

        Assert.Equal(EgressError.Timeout, result.Error);
        Assert.Equal(504, EgressErrors.StatusCode(result.Error));
        Assert.Null(result.Socket);
        Assert.NotEmpty(sockets);
        Assert.All(sockets, s => Assert.True(s.SafeHandle.IsClosed));
    }

    [Fact]
    public async Task RealBlackHole_IsTimeout()
    {
        using var blackHole = new BlackHoleListener(IPAddress.Loopback);
        await blackHole.FillAsync().WaitAsync(s_wait);
        var permissions = new DialPermissions(IPAddress.Loopback, localhostRule: false);

        DialResult result = await Create(connectTimeout: TimeSpan.FromMilliseconds(300))
            .ConnectAsync("127.0.0.1", blackHole.EndPoint.Port, permissions, default).AsTask().WaitAsync(s_wait);

        Assert.Equal(EgressError.Timeout, result.Error);
    }

    [Fact]
    public async Task SingleAddress_ConnectThatIgnoresItsToken_IsTimeout_AndItsSocketIsClosed()
    {
        using var blackHole = new BlackHoleListener(IPAddress.Loopback);
        await blackHole.FillAsync().WaitAsync(s_wait);
        var sockets = new ConcurrentQueue<Socket>();
        Dialer dialer = Create(
            connectTimeout: TimeSpan.FromMilliseconds(300),
            connect: (socket, endPoint, _) =>
            {
                sockets.Enqueue(socket);
                return socket.ConnectAsync(endPoint, CancellationToken.None);
            });

        DialResult result = await dialer.ConnectAsync("127.0.0.1", blackHole.EndPoint.Port, new DialPermissions(IPAddress.Loopback, localhostRule: false), default)
            .AsTask().WaitAsync(s_wait);

        Assert.Equal(EgressError.Timeout, result.Error);
        Assert.Null(result.Socket);
        Assert.True(Assert.Single(sockets).SafeHandle.IsClosed);
    }

    [Fact]
    public async Task ResolverThatNeverAnswers_IsTimeout()
    {
        Dialer dialer = Create(
            connectTimeout: TimeSpan.FromMilliseconds(200),
            resolver: static (_, _) => new TaskCompletionSource<IPAddress[]>().Task);

        DialResult result = await dialer.ConnectAsync("slow-dns.example.test", 443, DialPermissions.None, default).AsTask().WaitAsync(s_wait);

        Assert.Equal(EgressError.Timeout, result.Error);
    }

    [Fact]
    public async Task CallerCancels_ThrowsOperationCanceled_AndClosesTheAttempt()
    {
        var sockets = new ConcurrentQueue<Socket>();
        using var caller = new CancellationTokenSource();
        Dialer dialer = Create(
            egress: s_loopbackOpen,
            connect: (socket, _, cancellationToken) =>
            {
                sockets.Enqueue(socket);
                caller.Cancel();
                return new ValueTask(Task.Delay(Timeout.Infinite, cancellationToken));
            });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => dialer.ConnectAsync("127.0.0.1", 9, DialPermissions.None, caller.Token).AsTask().WaitAsync(s_wait));

        Assert.True(Assert.Single(sockets).SafeHandle.IsClosed);
    }

    [Fact]
    public void Constructor_RefusesANonPositiveTimeout() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dialer(s_noHosts, s_nothingOpen, TimeSpan.Zero));

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    public async Task ConnectAsync_RefusesAPortOutOfRange(int port) =>
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => Create().ConnectAsync("127.0.0.1", port, DialPermissions.None, default).AsTask());

    [Fact]
    public void AttemptDelay_IsTheRfc8305Recommendation() =>
        Assert.Equal(TimeSpan.FromMilliseconds(250), Dialer.AttemptDelay);

    [Fact]
    public void Guard_UsesTheConfiguredCidrs()
    {
        var dialer = new Dialer(s_noHosts, new EgressConfig([IPNetwork.Parse("10.210.0.0/16")]), TimeSpan.FromSeconds(1));

        Assert.Equal(EgressError.None, dialer.Guard.Check(IPAddress.Parse("10.210.1.1"), DialPermissions.None));
        Assert.Equal(EgressError.RefusedAddress, dialer.Guard.Check(IPAddress.Parse("10.211.1.1"), DialPermissions.None));
    }
}
