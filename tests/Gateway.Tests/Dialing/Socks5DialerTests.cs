using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Configuration;
using Gateway.Dialing;
using PolicyCompiler.Kits;

namespace Gateway.Tests.Dialing;

/// <summary>
/// The Dialer with SOCKS5 on, against scripted proxies on loopback: what goes on the wire, what
/// never does, how every proxy answer maps to an error, and that the socket handed back still
/// holds the upstream's first bytes.
/// </summary>
public sealed class Socks5DialerTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(15);
    private static readonly ResolveConfig s_pinned = new(new Dictionary<string, IPAddress> { ["api.example.test"] = IPAddress.Loopback }.ToFrozenDictionary());
    private static readonly EgressConfig s_nothingOpen = new([]);
    private static readonly EgressConfig s_loopbackOpen = new([IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("::1/128")]);
    private static readonly byte[] s_succeeded = [5, 0, 0, 1, 127, 0, 0, 1, 0x04, 0x38];

    [Fact]
    public async Task Name_GoesToTheProxyAsAName_AndIsNeverResolvedHere()
    {
        await using var proxy = ScriptedSocks5Proxy.Replying(s_succeeded);
        var resolved = new ConcurrentQueue<string>();

        DialResult result = await Dial(Create(proxy, resolver: Recording(resolved)), "api.example.test", 443);

        using Socket? socket = result.Socket;
        Assert.Equal(EgressError.None, result.Error);
        Assert.Equal(proxy.DnsEndPoint, result.Socks5Proxy);
        Assert.Equal([[5, 1, 0], [5, 1, 0, 3, 16, .. "api.example.test"u8, 0x01, 0xBB]], proxy.Frames.ToArray());
        Assert.Empty(resolved); // not even resolve.hosts' pin: the proxy's network resolves
    }

    [Fact]
    public async Task ReplySplitAcrossReads_Connects_AndTheUpstreamsFirstBytesStayInTheSocket()
    {
        byte[] reply = [5, 0, 0, 3, 9, .. "proxy.lan"u8, 0x04, 0x38];
        await using var proxy = ScriptedSocks5Proxy.Start(async session =>
        {
            await session.ReadGreetingAsync();
            await session.SendByteByByteAsync([5, 0]);
            await session.ReadConnectAsync();
            await session.SendByteByByteAsync(reply[..^1]);
            await session.SendAsync([reply[^1], .. "SSH-2.0-upstream\r\n"u8]); // reply's last byte and data in one segment
            await session.ReadAsync(1); // hold the connection until the client is done
        });

        DialResult result = await Dial(Create(proxy), "git.example.test", 22);

        using Socket socket = Assert.IsType<Socket>(result.Socket);
        byte[] first = new byte[64];
        int n = await socket.ReceiveAsync(first, SocketFlags.None).WaitAsync(s_wait);
        Assert.Equal("SSH-2.0-upstream\r\n", Encoding.ASCII.GetString(first, 0, n));
    }

    [Theory]
    [InlineData(1, EgressError.Socks5GeneralFailure, 502)]
    [InlineData(2, EgressError.Socks5NotAllowed, 502)]
    [InlineData(3, EgressError.Socks5NetworkUnreachable, 502)]
    [InlineData(4, EgressError.Socks5HostUnreachable, 502)]
    [InlineData(5, EgressError.Socks5ConnectionRefused, 502)]
    [InlineData(6, EgressError.Socks5TtlExpired, 504)]
    [InlineData(7, EgressError.Socks5CommandNotSupported, 502)]
    [InlineData(8, EgressError.Socks5AddressTypeNotSupported, 502)]
    [InlineData(9, EgressError.Socks5GeneralFailure, 502)]
    [InlineData(200, EgressError.Socks5GeneralFailure, 502)]
    public async Task EveryReplyCode_IsAClientVisibleError_NamingTheProxy(byte rep, object error, int status)
    {
        await using var proxy = ScriptedSocks5Proxy.Replying([5, rep, 0, 1, 0, 0, 0, 0, 0, 0]);

        DialResult result = await Dial(Create(proxy), "api.example.test", 443);

        Assert.Equal(((EgressError)error, status), (result.Error, EgressErrors.StatusCode(result.Error)));
        Assert.Null(result.Socket);
        Assert.Contains($"socks5://127.0.0.1:{proxy.EndPoint.Port}", EgressErrors.Reason(result.Error, result.Socks5Proxy), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReplyCut_AfterItsCode_StillSaysWhatWentWrong()
    {
        await using var proxy = ScriptedSocks5Proxy.Start(async session =>
        {
            await session.ReadGreetingAsync();
            await session.SendAsync([5, 0]);
            await session.ReadConnectAsync();
            await session.SendAsync([5, 5]);
            session.Socket.Shutdown(SocketShutdown.Send);
        });

        Assert.Equal(EgressError.Socks5ConnectionRefused, (await Dial(Create(proxy), "api.example.test", 443)).Error);
    }

    [Theory]
    [InlineData(new byte[] { (byte)'H', (byte)'T', (byte)'T', (byte)'P', (byte)'/', (byte)'1' }, EgressError.Socks5ProtocolError)] // an HTTP proxy
    [InlineData(new byte[] { 5, 0xFF }, EgressError.Socks5NoAcceptableMethod)]
    [InlineData(new byte[] { 5, 2 }, EgressError.Socks5ProtocolError)] // a method that was not offered
    [InlineData(new byte[] { 5 }, EgressError.Socks5ProtocolError)] // closed mid-frame
    public async Task MethodChoice_OtherThanNoAuthentication_FailsWithoutAConnectRequest(byte[] answer, object error)
    {
        await using var proxy = ScriptedSocks5Proxy.Start(async session =>
        {
            await session.ReadGreetingAsync();
            await session.SendAsync(answer);
            session.Socket.Shutdown(SocketShutdown.Send);
            await session.ReadAsync(1);
        });

        DialResult result = await Dial(Create(proxy), "api.example.test", 443);

        Assert.Equal((EgressError)error, result.Error);
        Assert.Single(proxy.Frames); // the greeting only: no CONNECT went out
    }

    [Fact]
    public async Task SilentProxy_IsATimeout_Within_ConnectTimeout()
    {
        await using var proxy = ScriptedSocks5Proxy.Start(session => session.ReadAsync(int.MaxValue / 2));

        DialResult result = await Dial(Create(proxy, connectTimeout: TimeSpan.FromMilliseconds(300)), "api.example.test", 443);

        Assert.Equal((EgressError.Timeout, 504), (result.Error, EgressErrors.StatusCode(result.Error)));
        Assert.Equal($"upstream connect through SOCKS5 proxy socks5://127.0.0.1:{proxy.EndPoint.Port} timed out", EgressErrors.Reason(result.Error, result.Socks5Proxy));
    }

    [Fact]
    public async Task ProxyNotListening_IsSocks5Unreachable_NamingIt()
    {
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var endPoint = new DnsEndPoint("127.0.0.1", ((IPEndPoint)closed.LocalEndPoint!).Port);
        var dialer = new Dialer(s_pinned, s_nothingOpen, TimeSpan.FromSeconds(5), upstream: new UpstreamConfig(endPoint, null));

        DialResult result = await Dial(dialer, "api.example.test", 443);

        Assert.Equal((EgressError.Socks5Unreachable, 502), (result.Error, EgressErrors.StatusCode(result.Error)));
        Assert.Equal($"SOCKS5 proxy socks5://127.0.0.1:{endPoint.Port}: unreachable", EgressErrors.Reason(result.Error, result.Socks5Proxy));
    }

    [Fact]
    public async Task Credential_IsReadAtDialTime_AndSentAsRfc1929()
    {
        string variable = "GW_SOCKS5_TEST_PASSWORD_" + Guid.NewGuid().ToString("N");
        await using var proxy = Authenticating(status: 0);
        Dialer dialer = Create(proxy, credential: Pair("alice", variable));
        Environment.SetEnvironmentVariable(variable, "s3cret-1");
        try
        {
            DialResult first = await Dial(dialer, "api.example.test", 443);
            first.Socket?.Dispose();
            Environment.SetEnvironmentVariable(variable, "s3cret-2"); // rotated: the next dial sends the new one
            DialResult second = await Dial(dialer, "api.example.test", 443);
            second.Socket?.Dispose();

            Assert.Equal((EgressError.None, EgressError.None), (first.Error, second.Error));
            byte[][] frames = [.. proxy.Frames];
            Assert.Equal([5, 2, 0, 2], frames[0]);
            Assert.Equal([1, 5, .. "alice"u8, 8, .. "s3cret-1"u8], frames[1]);
            Assert.Equal([1, 5, .. "alice"u8, 8, .. "s3cret-2"u8], frames[4]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task WrongCredential_FailsOnce_WithNoRetry_AndTheSecretInNoMessage()
    {
        string variable = "GW_SOCKS5_TEST_PASSWORD_" + Guid.NewGuid().ToString("N");
        await using var proxy = Authenticating(status: 1);
        Environment.SetEnvironmentVariable(variable, "never-show-me");
        try
        {
            DialResult result = await Dial(Create(proxy, credential: Pair("alice", variable)), "api.example.test", 443);

            Assert.Equal((EgressError.Socks5AuthenticationFailed, 502), (result.Error, EgressErrors.StatusCode(result.Error)));
            Assert.Equal(1, proxy.Accepted);
            Assert.DoesNotContain("never-show-me", EgressErrors.Reason(result.Error, result.Socks5Proxy), StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task UnsetCredential_NeverReachesTheProxy()
    {
        await using var proxy = Authenticating(status: 0);

        DialResult result = await Dial(Create(proxy, credential: Pair("alice", "GW_SOCKS5_TEST_UNSET_" + Guid.NewGuid().ToString("N"))), "api.example.test", 443);

        Assert.Equal(EgressError.Socks5CredentialUnavailable, result.Error);
        Assert.Equal(0, proxy.Accepted);
    }

    [Theory]
    [InlineData("127.0.0.1", AddressClass.Loopback)]
    [InlineData("169.254.169.254", AddressClass.Metadata)]
    [InlineData("::ffff:10.0.0.1", AddressClass.Private)]
    [InlineData("localhost", AddressClass.Loopback)]
    [InlineData("admin.localhost", AddressClass.Loopback)]
    public async Task GuardedDestination_IsRefused_AndTheProxyNeverContacted(string host, object addressClass)
    {
        await using var proxy = ScriptedSocks5Proxy.Replying(s_succeeded);

        DialResult result = await Dial(Create(proxy), host, 443);

        Assert.Equal((EgressError.RefusedAddress, (AddressClass)addressClass), (result.Error, result.RefusedClass));
        Assert.Null(result.Socks5Proxy);
        Assert.Equal(0, proxy.Accepted);
    }

    [Theory]
    [InlineData("127.1")]
    [InlineData("0x7f.1")]
    [InlineData("2130706433.example.1")]
    public async Task AddressInDisguise_NeverReachesTheProxysResolver(string host)
    {
        await using var proxy = ScriptedSocks5Proxy.Replying(s_succeeded);

        DialResult result = await Dial(Create(proxy), host, 443);

        Assert.Equal(EgressError.NameNotResolved, result.Error);
        Assert.Equal(0, proxy.Accepted);
    }

    [Theory]
    [InlineData("127.0.0.1", new byte[] { 5, 1, 0, 1, 127, 0, 0, 1, 0, 80 })]
    [InlineData("[::1]", new byte[] { 5, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 80 })]
    public async Task OpenedLiteral_GoesToTheProxyAsAnAddress(string host, byte[] request)
    {
        await using var proxy = ScriptedSocks5Proxy.Replying(s_succeeded);

        DialResult result = await Dial(Create(proxy, egress: s_loopbackOpen), host, 80);

        result.Socket?.Dispose();
        Assert.Equal(EgressError.None, result.Error);
        Assert.Equal(request, proxy.Frames.Last());
    }

    [Fact]
    public async Task LocalhostRule_DialsHostServicesDirectly_NotThroughTheProxy()
    {
        await using var proxy = ScriptedSocks5Proxy.Replying(s_succeeded);
        using var service = new TcpListener(IPAddress.Loopback, 0);
        service.Start();

        DialResult result = await Create(proxy).ConnectAsync(
            "localhost", ((IPEndPoint)service.LocalEndpoint).Port, new DialPermissions(null, localhostRule: true), default).AsTask().WaitAsync(s_wait);

        using Socket? socket = result.Socket;
        Assert.Equal(EgressError.None, result.Error);
        Assert.Null(result.Socks5Proxy);
        Assert.Equal(0, proxy.Accepted);
    }

    [Fact]
    public async Task KitProxy_OverridesUpstreamSocks5()
    {
        await using var global = ScriptedSocks5Proxy.Replying(s_succeeded);
        await using var kit = ScriptedSocks5Proxy.Replying(s_succeeded);

        DialResult result = await Create(global).ConnectAsync(
            "api.example.test", 443, DialPermissions.None, new KitProxy("127.0.0.1", kit.EndPoint.Port, null), default).AsTask().WaitAsync(s_wait);

        result.Socket?.Dispose();
        Assert.Equal((EgressError.None, 1, 0), (result.Error, kit.Accepted, global.Accepted));
        Assert.Equal(kit.DnsEndPoint, result.Socks5Proxy);
    }

    [Fact]
    public async Task KitProxy_NamingAnUnknownCredential_FailsClosed()
    {
        await using var kit = ScriptedSocks5Proxy.Replying(s_succeeded);
        var dialer = new Dialer(s_pinned, s_nothingOpen, TimeSpan.FromSeconds(5));

        DialResult result = await dialer.ConnectAsync(
            "api.example.test", 443, DialPermissions.None, new KitProxy("127.0.0.1", kit.EndPoint.Port, "nowhere"), default).AsTask().WaitAsync(s_wait);

        Assert.Equal(EgressError.Socks5CredentialUnavailable, result.Error);
        Assert.Equal(0, kit.Accepted);
    }

    [Fact]
    public async Task CallerCancelling_MidHandshake_Throws()
    {
        await using var proxy = ScriptedSocks5Proxy.Start(session => session.ReadAsync(int.MaxValue / 2));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Create(proxy).ConnectAsync("api.example.test", 443, DialPermissions.None, cancel.Token).AsTask().WaitAsync(s_wait));
    }

    private static ScriptedSocks5Proxy Authenticating(byte status) => ScriptedSocks5Proxy.Start(async session =>
    {
        await session.ReadGreetingAsync();
        await session.SendAsync([5, 2]);
        await session.ReadAuthAsync();
        await session.SendAsync([1, status]);
        if (status == 0)
        {
            await session.ReadConnectAsync();
            await session.SendAsync(s_succeeded);
        }
    });

    private static (string Name, CredentialsConfig Credentials) Pair(string username, string passwordVariable) =>
        ("corp-proxy", new CredentialsConfig(new Dictionary<string, CredentialSourceConfig>
        {
            ["corp-proxy"] = new("corp-proxy", null, new CredentialValueConfig([], null, username), new CredentialValueConfig([passwordVariable], null, null)),
        }.ToFrozenDictionary(StringComparer.Ordinal)));

    private static Dialer Create(
        ScriptedSocks5Proxy proxy,
        EgressConfig? egress = null,
        TimeSpan? connectTimeout = null,
        Func<string, CancellationToken, Task<IPAddress[]>>? resolver = null,
        (string Name, CredentialsConfig Credentials)? credential = null) =>
        new(s_pinned, egress ?? s_nothingOpen, connectTimeout ?? TimeSpan.FromSeconds(5), resolver: resolver,
            upstream: new UpstreamConfig(proxy.DnsEndPoint, credential?.Name), credentials: credential?.Credentials);

    private static Func<string, CancellationToken, Task<IPAddress[]>> Recording(ConcurrentQueue<string> names) => (name, _) =>
    {
        names.Enqueue(name);
        return Task.FromResult<IPAddress[]>([IPAddress.Loopback]);
    };

    private static Task<DialResult> Dial(Dialer dialer, string host, int port) =>
        dialer.ConnectAsync(host, port, DialPermissions.None, default).AsTask().WaitAsync(s_wait);
}
