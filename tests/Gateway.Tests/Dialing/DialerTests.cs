using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Net;
using System.Net.Sockets;
using Gateway.Configuration;
using Gateway.Dialing;

namespace Gateway.Tests.Dialing;

// Every real connect stays on loopback: the default connect function refuses anything else,
// and addresses such as 10.0.0.1 or 169.254.169.254 only ever come from fake resolvers whose
// answers the guard refuses before any socket is opened.
public partial class DialerTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);
    private static readonly ResolveConfig s_noHosts = new(FrozenDictionary<string, IPAddress>.Empty);
    private static readonly EgressConfig s_nothingOpen = new([]);
    private static readonly EgressConfig s_loopbackOpen = new([IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("::1/128")]);

    [Fact]
    public async Task LoopbackLiteral_WithNothingOpened_IsRefusedAndNeverDialled()
    {
        using var upstream = Upstream();
        var dialled = new ConcurrentQueue<IPEndPoint>();

        DialResult result = await Create(connect: Recording(dialled)).ConnectAsync("127.0.0.1", Port(upstream), DialPermissions.None, default).AsTask().WaitAsync(s_wait);

        Assert.Equal(EgressError.RefusedAddress, result.Error);
        Assert.Equal(403, EgressErrors.StatusCode(result.Error));
        Assert.Equal(AddressClass.Loopback, result.RefusedClass);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, Port(upstream)), result.RemoteEndPoint);
        Assert.Null(result.Socket);
        Assert.Empty(dialled);
        Assert.False(upstream.Pending());
    }

    [Fact]
    public async Task LoopbackLiteral_NamedByTheRule_Connects()
    {
        using var upstream = Upstream();
        var permissions = new DialPermissions(IPAddress.Loopback, localhostRule: false);

        DialResult result = await Create().ConnectAsync("127.0.0.1", Port(upstream), permissions, default).AsTask().WaitAsync(s_wait);

        await AssertConnectedAsync(result, upstream, IPAddress.Loopback);
    }

    [Fact]
    public async Task LoopbackLiteral_InAllowCidrs_Connects()
    {
        using var upstream = Upstream();

        DialResult result = await Create(egress: s_loopbackOpen).ConnectAsync("127.0.0.1", Port(upstream), DialPermissions.None, default).AsTask().WaitAsync(s_wait);

        await AssertConnectedAsync(result, upstream, IPAddress.Loopback);
    }

    [Fact]
    public async Task BracketedIPv6Literal_IsItsOwnAnswer()
    {
        DialResult result = await Create().ConnectAsync("[::1]", 9, DialPermissions.None, default).AsTask().WaitAsync(s_wait);

        Assert.Equal(EgressError.RefusedAddress, result.Error);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 9), result.RemoteEndPoint);
    }

    [Fact]
    public async Task Localhost_WithLocalhostRule_ConnectsWithoutAskingDns()
    {
        using var upstream = Upstream();
        var permissions = new DialPermissions(null, localhostRule: true);

        DialResult result = await Create().ConnectAsync("localhost", Port(upstream), permissions, default).AsTask().WaitAsync(s_wait);

        await AssertConnectedAsync(result, upstream, IPAddress.Loopback);
    }

    [Fact]
    public async Task Localhost_WithoutPermission_IsRefused()
    {
        DialResult result = await Create().ConnectAsync("localhost", 9, DialPermissions.None, default).AsTask().WaitAsync(s_wait);

        Assert.Equal(EgressError.RefusedAddress, result.Error);
        Assert.Equal(AddressClass.Loopback, result.RefusedClass);
    }

    [Fact]
    public async Task LocalhostRule_DoesNotOpenAnotherNameThatResolvesToLoopback()
    {
        var dialled = new ConcurrentQueue<IPEndPoint>();
        Dialer dialer = Create(resolver: Answers("127.0.0.1"), connect: Recording(dialled));

        DialResult byName = await dialer.ConnectAsync("rebind.example.test", 9, new DialPermissions(null, localhostRule: true), default).AsTask().WaitAsync(s_wait);
        DialResult byLiteral = await dialer.ConnectAsync("127.0.0.1", 9, new DialPermissions(null, localhostRule: true), default).AsTask().WaitAsync(s_wait);

        Assert.Equal(EgressError.RefusedAddress, byName.Error);
        Assert.Equal(EgressError.RefusedAddress, byLiteral.Error);
        Assert.Empty(dialled);
    }

    [Fact]
    public async Task ExactAddressRule_DoesNotOpenANameThatResolvesToThatAddress()
    {
        var dialled = new ConcurrentQueue<IPEndPoint>();
        Dialer dialer = Create(resolver: Answers("127.0.0.1"), connect: Recording(dialled));

        DialResult result = await dialer.ConnectAsync("rebind.example.test", 9, new DialPermissions(IPAddress.Loopback, localhostRule: false), default).AsTask().WaitAsync(s_wait);

        Assert.Equal(EgressError.RefusedAddress, result.Error);
        Assert.Empty(dialled);
    }

    [Fact]
    public async Task ResolveHosts_PointingAtMetadata_IsRefusedWithoutAskingDns()
    {
        var resolve = new ResolveConfig(new Dictionary<string, IPAddress>
        {
            ["metadata.example.test"] = IPAddress.Parse("169.254.169.254"),
        }.ToFrozenDictionary());

        DialResult result = await Create(resolve: resolve).ConnectAsync("metadata.example.test", 80, DialPermissions.None, default).AsTask().WaitAsync(s_wait);

        Assert.Equal(EgressError.RefusedAddress, result.Error);
        Assert.Equal(AddressClass.Metadata, result.RefusedClass);
        Assert.Equal(IPEndPoint.Parse("169.254.169.254:80"), result.RemoteEndPoint);
    }

    [Fact]
    public async Task ResolveHosts_ComeBeforeDns_AndStillGoThroughTheGuard()
    {
        using var upstream = Upstream();
        var resolve = new ResolveConfig(new Dictionary<string, IPAddress>
        {
            ["api.example.test"] = IPAddress.Loopback,
        }.ToFrozenDictionary());

        DialResult refused = await Create(resolve: resolve).ConnectAsync("api.example.test", Port(upstream), DialPermissions.None, default).AsTask().WaitAsync(s_wait);
        DialResult opened = await Create(resolve: resolve, egress: s_loopbackOpen).ConnectAsync("api.example.test", Port(upstream), DialPermissions.None, default).AsTask().WaitAsync(s_wait);

        Assert.Equal(EgressError.RefusedAddress, refused.Error);
        await AssertConnectedAsync(opened, upstream, IPAddress.Loopback);
    }

    [Theory]
    [InlineData("10.0.0.1", "127.0.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("fd00:ec2::254", "fe80::1", "0.0.0.0")]
    public async Task NameResolvingOnlyToRefusedAddresses_IsRefused(params string[] answers)
    {
        var dialled = new ConcurrentQueue<IPEndPoint>();

        DialResult result = await Create(resolver: Answers(answers), connect: Recording(dialled))
            .ConnectAsync("internal.example.test", 443, DialPermissions.None, default).AsTask().WaitAsync(s_wait);

        Assert.Equal(EgressError.RefusedAddress, result.Error);
        Assert.NotEqual(AddressClass.Public, result.RefusedClass);
        Assert.Empty(dialled);
    }

    [Fact]
    public async Task NameResolvingToPrivateAndOpenedLoopback_DialsOnlyTheCheckedAddress()
    {
        using var upstream = Upstream();
        var dialled = new ConcurrentQueue<IPEndPoint>();

        DialResult result = await Create(egress: s_loopbackOpen, resolver: Answers("10.0.0.1", "127.0.0.1"), connect: Recording(dialled))
            .ConnectAsync("mixed.example.test", Port(upstream), DialPermissions.None, default).AsTask().WaitAsync(s_wait);

        await AssertConnectedAsync(result, upstream, IPAddress.Loopback);
        Assert.Equal([new IPEndPoint(IPAddress.Loopback, Port(upstream))], dialled);
    }

    [Fact]
    public async Task IPv4MappedAnswer_IsDialledAsIPv4_AndDuplicatesOnce()
    {
        using var upstream = Upstream();
        var dialled = new ConcurrentQueue<IPEndPoint>();

        DialResult result = await Create(egress: s_loopbackOpen, resolver: Answers("::ffff:127.0.0.1", "127.0.0.1"), connect: Recording(dialled))
            .ConnectAsync("mapped.example.test", Port(upstream), DialPermissions.None, default).AsTask().WaitAsync(s_wait);

        await AssertConnectedAsync(result, upstream, IPAddress.Loopback);
        Assert.Single(dialled);
    }

    [Fact]
    public async Task ResolverSaysHostNotFound_IsNameNotResolved()
    {
        Dialer dialer = Create(resolver: static (_, _) => throw new SocketException((int)SocketError.HostNotFound));

        DialResult result = await dialer.ConnectAsync("nx.example.test", 443, DialPermissions.None, default).AsTask().WaitAsync(s_wait);

        Assert.Equal(EgressError.NameNotResolved, result.Error);
        Assert.Equal(502, EgressErrors.StatusCode(result.Error));
        Assert.Null(result.Socket);
    }

    [Fact]
    public async Task ResolverFaultsAsynchronously_IsNameNotResolved()
    {
        Dialer dialer = Create(resolver: static (_, _) => Task.FromException<IPAddress[]>(new SocketException((int)SocketError.TryAgain)));

        DialResult result = await dialer.ConnectAsync("flaky.example.test", 443, DialPermissions.None, default).AsTask().WaitAsync(s_wait);

        Assert.Equal(EgressError.NameNotResolved, result.Error);
    }

    [Fact]
    public async Task EmptyAnswer_IsNameNotResolved()
    {
        DialResult result = await Create(resolver: Answers()).ConnectAsync("empty.example.test", 443, DialPermissions.None, default).AsTask().WaitAsync(s_wait);

        Assert.Equal(EgressError.NameNotResolved, result.Error);
    }

    [Theory]
    [InlineData("127.1")]
    [InlineData("0x7f.1")]
    [InlineData("0x7f000001")]
    [InlineData("2130706433")]
    [InlineData("0177.0.0.1")]
    [InlineData("127.000.000.001")]
    [InlineData("::ffff:127.0.0.1.")]
    [InlineData("1::2::3")]
    public async Task AddressInDisguise_IsNotResolved_AndDnsIsNotAsked(string host)
    {
        DialResult result = await Create().ConnectAsync(host, 80, new DialPermissions(IPAddress.Loopback, localhostRule: true), default).AsTask().WaitAsync(s_wait);

        Assert.Equal(EgressError.NameNotResolved, result.Error);
    }

    [Theory]
    [InlineData(SocketError.TooManyOpenSockets)]
    [InlineData(SocketError.NoBufferSpaceAvailable)]
    [InlineData(SocketError.AddressNotAvailable)]
    public async Task TheGatewaysOwnSocketShortage_IsOutOfSockets_503_NotUnreachable(SocketError shortage)
    {
        DialResult result = await Create(egress: s_loopbackOpen, connect: (_, _, _) => throw new SocketException((int)shortage))
            .ConnectAsync("127.0.0.1", 9, DialPermissions.None, default).AsTask().WaitAsync(s_wait);

        Assert.Equal(EgressError.OutOfSockets, result.Error);
        Assert.Equal(503, EgressErrors.StatusCode(result.Error));
        Assert.Contains("cannot open a socket", EgressErrors.Reason(result.Error), StringComparison.Ordinal);
        Assert.Null(result.Socket);
    }

    [Fact]
    public async Task ClosedLoopbackPort_IsConnectionRefused()
    {
        int port;
        using (var closed = Upstream())
        {
            port = Port(closed);
        }

        DialResult result = await Create(egress: s_loopbackOpen).ConnectAsync("127.0.0.1", port, DialPermissions.None, default).AsTask().WaitAsync(s_wait);

        Assert.Equal(EgressError.ConnectionRefused, result.Error);
        Assert.Equal(502, EgressErrors.StatusCode(result.Error));
        Assert.Null(result.Socket);
    }

    private static Dialer Create(
        ResolveConfig? resolve = null,
        EgressConfig? egress = null,
        TimeSpan? connectTimeout = null,
        Func<string, CancellationToken, Task<IPAddress[]>>? resolver = null,
        Func<Socket, IPEndPoint, CancellationToken, ValueTask>? connect = null) =>
        new(resolve ?? s_noHosts, egress ?? s_nothingOpen, connectTimeout ?? TimeSpan.FromSeconds(5), resolver ?? NoDns, connect ?? LoopbackOnly);

    private static Task<IPAddress[]> NoDns(string host, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"the test asked real DNS for {host}");

    private static Func<string, CancellationToken, Task<IPAddress[]>> Answers(params string[] addresses) =>
        (_, _) => Task.FromResult(addresses.Select(IPAddress.Parse).ToArray());

    private static ValueTask LoopbackOnly(Socket socket, IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        Assert.True(IPAddress.IsLoopback(endPoint.Address), $"the test dialled {endPoint}, outside loopback");
        return socket.ConnectAsync(endPoint, cancellationToken);
    }

    private static Func<Socket, IPEndPoint, CancellationToken, ValueTask> Recording(ConcurrentQueue<IPEndPoint> dialled) =>
        (socket, endPoint, cancellationToken) =>
        {
            dialled.Enqueue(endPoint);
            return LoopbackOnly(socket, endPoint, cancellationToken);
        };

    private static TcpListener Upstream(IPAddress? address = null, int port = 0)
    {
        var listener = new TcpListener(address ?? IPAddress.Loopback, port);
        listener.Start();
        return listener;
    }

    private static int Port(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;

    private static async Task AssertConnectedAsync(DialResult result, TcpListener upstream, IPAddress expected)
    {
        Assert.Equal(EgressError.None, result.Error);
        Assert.True(result.IsConnected);
        using Socket socket = result.Socket!;
        Assert.True(socket.Connected);
        Assert.True(socket.NoDelay);
        Assert.Equal(new IPEndPoint(expected, Port(upstream)), result.RemoteEndPoint);
        Assert.True(result.ConnectTicks > 0);
        using Socket accepted = await upstream.AcceptSocketAsync().WaitAsync(s_wait);
        Assert.Equal(socket.LocalEndPoint, accepted.RemoteEndPoint);
    }
}
