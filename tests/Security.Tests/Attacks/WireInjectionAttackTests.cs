using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Dns;
using Gateway.Listeners;
using Gateway.Tests.Dns;
using Gateway.Tests.Listeners;
using Gateway.Tests.Protocols;
using Microsoft.Extensions.DependencyInjection;
using Security.Tests.Harness;

namespace Security.Tests.Attacks;

/// <summary>
/// CR, LF, NUL, space and other bytes that could split or extend a line, in every field that
/// reaches a wire today: the CONNECT authority and Host, the transparent Host, the SNI; and
/// heads, hellos and DNS messages past their bounds. Each is refused before anything is
/// dialled, and a normal request on a fresh connection is still answered exactly.
/// </summary>
public sealed class WireInjectionAttackTests(WireInjectionAttackTests.Fixture fixture) : IClassFixture<WireInjectionAttackTests.Fixture>
{
    public static TheoryData<string> BadAuthorities =>
    [
        "api.example.test\r:{0}", "api.example.test\n:{0}", "api.example.test\0:{0}", "api.example.test :{0}", "api.example.test\t:{0}",
        "api.example.test:{0}\0", "api.example.test:{0} x", "api.example.test%00:{0}", "api.example.test%0d%0a:{0}",
        "user@api.example.test:{0}", "user:pw@api.example.test:{0}", "api.example.test:{0}@other.example.test:{0}",
        "api.example.test/x:{0}", "api.example.test?x:{0}", "api.example.test#x:{0}", "api.example.test\\x:{0}",
        "api.example.test:0{0}", "api.example.test:+{0}", "api.example.test:-1", "api.example.test:99999", "api.example.test:",
        "api.example.test", ":{0}", "[api.example.test]:{0}", "\u00e4pi.example.test:{0}",
    ];

    public static TheoryData<string> BadHostHeaders =>
    [
        "api.example.test\0", "api.example.test other.example.test", "api.example.test\tx", "api.example.test\rX: y",
        "user@api.example.test", "api.example.test/", "api.example.test#other.example.test", "api.example.test%2f",
        "", " ", "api.example.test,other.example.test",
    ];

    public static TheoryData<string> BadServerNames =>
    [
        "api.example.test\0.other.example.test", "api.example.test\r\n", "api example.test", "user@api.example.test",
        "api.example.test/x", "api..example.test", ".api.example.test", "2130706433", "127.0.0.1", "[::1]", "",
        new string('a', 300), "xn--", "api.example.test:443",
    ];

    [Theory]
    [MemberData(nameof(BadAuthorities))]
    public async Task Connect_WithAByteThatIsNoAuthority_Is400_AndNothingIsDialled(string authority)
    {
        int before = fixture.Dials.Attempts.Count;
        byte[] answer = await Survival.ExchangeAsync(fixture.Gateway.Port, Encoding.UTF8.GetBytes($"CONNECT {Format(authority)} HTTP/1.1\r\n\r\n"));

        Assert.StartsWith("HTTP/1.1 400 ", Encoding.Latin1.GetString(answer), StringComparison.Ordinal);
        Assert.Equal(before, fixture.Dials.Attempts.Count);
        await Survival.AssertTunnelWorksAsync(fixture.Gateway.Port, fixture.Upstream.HttpPort);
    }

    [Theory]
    [MemberData(nameof(BadHostHeaders))]
    public async Task Connect_WithABadHostHeader_Is400(string host)
    {
        byte[] answer = await Survival.ExchangeAsync(fixture.Gateway.Port, Encoding.UTF8.GetBytes($"CONNECT api.example.test:{fixture.Upstream.HttpPort} HTTP/1.1\r\nHost: {host}\r\n\r\n"));

        Assert.StartsWith("HTTP/1.1 400 ", Encoding.Latin1.GetString(answer), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadHostHeaders))]
    public async Task TransparentHttp_WithABadHostHeader_IsRefused_AndNothingIsDialled(string host)
    {
        int before = fixture.Dials.Attempts.Count;
        int port = fixture.Gateway.PortOf(ListenerKind.TransparentHttp)!.Value;
        byte[] answer = await Survival.ExchangeAsync(port, Encoding.UTF8.GetBytes($"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"));

        string text = Encoding.Latin1.GetString(answer);
        Assert.True(text.StartsWith("HTTP/1.1 400 ", StringComparison.Ordinal) || text.StartsWith("HTTP/1.1 403 ", StringComparison.Ordinal), text);
        Assert.Equal(before, fixture.Dials.Attempts.Count);
    }

    [Theory]
    [MemberData(nameof(BadServerNames))]
    public async Task TransparentTls_WithAServerNameThatIsNoHost_GetsAnAlertOrAClose_AndNothingIsDialled(string name)
    {
        int before = fixture.Dials.Attempts.Count;
        byte[] hello = ClientHelloBuilder.Tls13("x").With(ClientHelloBuilder.ServerName, ClientHelloBuilder.ServerNameData(name)).Build();
        byte[] answer = await Survival.ExchangeAsync(fixture.Gateway.PortOf(ListenerKind.TransparentTls)!.Value, hello);

        Assert.True(answer.Length == 0 || answer[0] == 0x15, Convert.ToHexString(answer));
        Assert.Equal(before, fixture.Dials.Attempts.Count);
    }

    [Fact]
    public async Task TransparentHttp_AbsoluteTargetDisagreeingWithHost_Is400_AndNothingIsDialled()
    {
        int before = fixture.Dials.Attempts.Count;
        int port = fixture.Gateway.PortOf(ListenerKind.TransparentHttp)!.Value;
        byte[] answer = await Survival.ExchangeAsync(port, Encoding.ASCII.GetBytes("GET http://other.example.test/ HTTP/1.1\r\nHost: api.example.test\r\nConnection: close\r\n\r\n"));

        Assert.StartsWith("HTTP/1.1 400 ", Encoding.Latin1.GetString(answer), StringComparison.Ordinal);
        Assert.Equal(before, fixture.Dials.Attempts.Count);
    }

    [Fact]
    public async Task TransparentHttp_EveryRequestOnAKeptAliveConnection_IsDecidedByItsOwnHost()
    {
        using RawClient client = await RawClient.ConnectAsync(fixture.Gateway.PortOf(ListenerKind.TransparentHttp)!.Value);
        await client.SendAsync("GET / HTTP/1.1\r\nHost: api.example.test\r\n\r\n");
        (int first, _, string body) = await client.ReadResponseAsync();
        await client.SendAsync("GET / HTTP/1.1\r\nHost: other.example.test\r\n\r\n");
        (int second, string head, _) = await client.ReadResponseAsync();

        Assert.Equal(200, first);
        Assert.Equal("hello from api.example.test", body);
        Assert.True(second == 403, head);
    }

    [Fact]
    public async Task OversizeConnectHead_Is431_AndTheDaemonServesOn()
    {
        string head = $"CONNECT api.example.test:{fixture.Upstream.HttpPort} HTTP/1.1\r\n" + string.Concat(Enumerable.Repeat("X-Pad: " + new string('a', 100) + "\r\n", 100));
        byte[] answer = await Survival.ExchangeAsync(fixture.Gateway.Port, Encoding.ASCII.GetBytes(head));

        Assert.StartsWith("HTTP/1.1 431 ", Encoding.Latin1.GetString(answer), StringComparison.Ordinal);
        await Survival.AssertTunnelWorksAsync(fixture.Gateway.Port, fixture.Upstream.HttpPort);
    }

    [Theory]
    [InlineData(40_000, 1)]
    [InlineData(100, 2_000)]
    public async Task OversizeAbsoluteFormHead_Is431_AndTheDaemonServesOn(int valueLength, int headers)
    {
        var head = new StringBuilder($"GET http://api.example.test:{fixture.Upstream.HttpPort}/ HTTP/1.1\r\nHost: api.example.test:{fixture.Upstream.HttpPort}\r\n");
        for (int i = 0; i < headers; i++)
        {
            head.Append("X-Pad-").Append(i).Append(": ").Append('a', valueLength).Append("\r\n");
        }

        byte[] answer = await Survival.ExchangeAsync(fixture.Gateway.Port, Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()));

        Assert.StartsWith("HTTP/1.1 431 ", Encoding.Latin1.GetString(answer), StringComparison.Ordinal);
        await Survival.AssertAbsoluteFormWorksAsync(fixture.Gateway.Port, fixture.Upstream.HttpPort);
    }

    [Theory]
    [InlineData(17 * 1024)]
    [InlineData(60 * 1024)]
    public async Task OversizeClientHello_IsClosedWithoutADial(int size)
    {
        int before = fixture.Dials.Attempts.Count;
        byte[] hello = ClientHelloBuilder.Tls13("api.example.test").PaddedTo(size).Build(16_000, 16_000, 16_000, 16_000);
        byte[] answer = await Survival.ExchangeAsync(fixture.Gateway.PortOf(ListenerKind.TransparentTls)!.Value, hello);

        Assert.True(answer.Length == 0 || answer[0] == 0x15, Convert.ToHexString(answer));
        Assert.Equal(before, fixture.Dials.Attempts.Count);
    }

    [Fact]
    public async Task HugeOrBrokenDnsPackets_AreAnsweredOrDropped_AndTheResolverServesOn()
    {
        int port = fixture.Gateway.Services.GetRequiredService<DnsServer>().EndPoint!.Port;
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var server = new IPEndPoint(IPAddress.Loopback, port);
        byte[] query = DnsTestMessages.Query("api.example.test");
        byte[][] hostile =
        [
            new byte[60_000],                                                   // a datagram far past any query
            [.. query, .. new byte[4000]],                                      // a valid query with 4 KB of trailing junk
            [.. query[..12], .. Enumerable.Repeat((byte)63, 2000)],             // labels that never end
            [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 0x0C, 0, 1, 0, 1], // a compression pointer to itself
            [.. query[..4], 0xFF, 0xFF, .. query[6..]],                        // 65535 questions
            [],
            [0x12],
        ];
        foreach (byte[] packet in hostile)
        {
            await udp.SendToAsync(packet, SocketFlags.None, server);
        }

        // TCP: a length prefix that promises 65535 bytes, then a close.
        using (var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await tcp.ConnectAsync(server);
            await tcp.SendAsync(new byte[] { 0xFF, 0xFF, 1, 2, 3 }, SocketFlags.None);
        }

        await udp.SendToAsync(query, SocketFlags.None, server);
        byte[] buffer = new byte[4096];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            SocketReceiveFromResult received = await udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cts.Token);
            DecodedResponse response = DnsTestMessages.Decode(buffer.AsSpan(0, received.ReceivedBytes));
            if (response.Rcode == 0 && response.Answers > 0)
            {
                break; // answers to the hostile packets (FORMERR) may come first
            }
        }
    }

    private string Format(string authority) => authority.Replace("{0}", fixture.Upstream.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>deny-all but api.example.test, loopback open; forward, transparent HTTP and TLS, and DNS listeners.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        internal DialRecorder Dials { get; } = new();

        internal TestUpstream Upstream { get; private set; } = null!;

        internal GatewayUnderTest Gateway { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Upstream = await TestUpstream.StartAsync();
            Gateway = await GatewayUnderTest.StartAsync(
                [["policy", "set-default", "deny-all"], ["policy", "allow", "network", "api.example.test"]],
                config => config with
                {
                    Listen = config.Listen with
                    {
                        TransparentHttp = new IPEndPoint(IPAddress.Loopback, 0),
                        TransparentTls = new IPEndPoint(IPAddress.Loopback, 0),
                        Dns = new IPEndPoint(IPAddress.Loopback, 0),
                    },
                    Transparent = config.Transparent with { DialTlsPort = Upstream.HttpsPort, DialHttpPort = Upstream.HttpPort },
                },
                services: Dials.Install(openLoopback: true));
        }

        public async Task DisposeAsync()
        {
            await Gateway.DisposeAsync();
            await Upstream.DisposeAsync();
        }
    }
}
