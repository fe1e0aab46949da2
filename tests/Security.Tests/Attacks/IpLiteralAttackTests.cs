using System.Net;
using Gateway.Listeners;
using Gateway.Tests.Listeners;
using PolicyCompiler.Hosts;
using Security.Tests.Harness;

namespace Security.Tests.Attacks;

/// <summary>
/// Invariant 5: IP literals are parsed strictly and every spelling of an internal address is
/// refused, on every surface that takes a host (CONNECT authority, absolute-form target,
/// transparent Host), even under an allow-all policy. The recording dialer proves nothing
/// was dialled; a loopback tripwire proves nothing reached the host.
/// </summary>
public sealed class IpLiteralAttackTests(IpLiteralAttackTests.Fixture fixture) : IClassFixture<IpLiteralAttackTests.Fixture>
{
    private readonly DialRecorder _dials = fixture.Dials;
    private readonly Tripwire _tripwire = fixture.Tripwire;
    private readonly GatewayUnderTest _gateway = fixture.Gateway;

    /// <summary>Spellings inet_aton and friends accept for 127.0.0.1 (or another address) that a strict parser must refuse.</summary>
    public static TheoryData<string> NonCanonicalIPv4 =>
    [
        "2130706433",     // decimal
        "017700000001",   // octal
        "0x7f000001",     // hex
        "0x7f.0.0.1",     // hex part
        "0177.0.0.1",     // octal part
        "127.1",          // short
        "127.0.1",        // short
        "127.000.0.1",    // leading zeros
        "127.0.0.01",
        "0x7f.1",
        "0",              // 0.0.0.0 short
        "0x0",
        "127.0.0.256",
        "127.0.0.1.1",
    ];

    /// <summary>Unicode spellings: UTS 46 maps some to ASCII digits and dots (as browsers do), others become punycode names.</summary>
    public static TheoryData<string> UnicodeIPv4 => ["١٢٧.٠.٠.١", "127。0。0。1", "１２７.０.０.１", "127．0．0．1"];

    /// <summary>Valid literals of refused ranges, in every IPv4-in-IPv6 wrapping.</summary>
    public static TheoryData<string> RefusedLiterals =>
    [
        "127.0.0.1", "127.255.255.254", "0.0.0.0", "10.0.0.1", "172.16.0.1", "192.168.1.1",
        "169.254.169.254", "169.254.170.2", "100.100.100.200", "100.64.0.1", "224.0.0.1", "255.255.255.255",
        "[::1]", "[0:0:0:0:0:0:0:1]", "[::]",
        "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::FFFF:127.0.0.1]",   // IPv4-mapped
        "[::127.0.0.1]",                                              // IPv4-compatible
        "[::ffff:0:127.0.0.1]",                                       // IPv4-translated
        "[64:ff9b::127.0.0.1]", "[64:ff9b::a9fe:a9fe]",              // NAT64
        "[64:ff9b:1::7f00:1]",                                        // local-use NAT64
        "[2002:7f00:1::1]", "[2002:a9fe:a9fe::]",                     // 6to4
        "[2001:0:4136:e378:8000:63bf:80ff:fffe]",                     // Teredo, client 127.0.0.1
        "[fe80::1]", "[fd00:ec2::254]", "[fc00::1]", "[fec0::1]", "[ff02::1]",
    ];

    /// <summary>IPv6 literals that are not valid in a URI authority: zone ids, unbracketed, broken.</summary>
    public static TheoryData<string> MalformedIPv6 =>
    [
        "[fe80::1%25lo]", "[fe80::1%lo]", "[::1%251]", "::1", "[::1", "[:::1]", "[::1::]", "[1:2:3:4:5:6:7:8:9]",
        "[::ffff:127.1]", "[::ffff:0x7f.0.0.1]", "[v1.fe80::1]", "[]",
    ];

    [Theory]
    [MemberData(nameof(NonCanonicalIPv4))]
    public void NonCanonicalIPv4_IsNotAHost(string literal)
    {
        Assert.Null(HostCanonicalizer.Canonicalize(literal, out _, out HostError error));
        Assert.NotEqual(HostError.None, error);
    }

    [Theory]
    [MemberData(nameof(NonCanonicalIPv4))]
    [MemberData(nameof(RefusedLiterals))]
    [MemberData(nameof(MalformedIPv6))]
    public async Task Connect_ToAnySpellingOfAnInternalAddress_IsRefusedAndNeverDialled(string literal)
    {
        using RawClient client = await RawClient.ConnectAsync(_gateway.Port);
        await client.SendAsync($"CONNECT {literal}:{_tripwire.Port} HTTP/1.1\r\n\r\n");
        (int status, string head, string body) = await client.ReadResponseAsync();

        Assert.True(status is 400 or 403, $"{literal}: {head}\n{body}");
        if (status == 403)
        {
            Assert.Contains("egress-guard", body, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(_dials.Attempts, e => e.Port == _tripwire.Port);
        Assert.Equal(0, _tripwire.Connections);
    }

    [Theory]
    [MemberData(nameof(UnicodeIPv4))]
    public void UnicodeDigitsAndDots_BecomeTheSameAddressOrAPunycodeName_NeverAnotherAddress(string literal)
    {
        string? canonical = HostCanonicalizer.Canonicalize(literal, out HostKind kind, out _);

        // Either refused, or the address the digits spell (which the guard then judges), or a name that resolves as one.
        Assert.True(canonical is null or "127.0.0.1" || (kind == HostKind.Name && canonical.StartsWith("xn--", StringComparison.Ordinal)), $"{literal} -> {canonical} ({kind})");
    }

    [Theory]
    [MemberData(nameof(UnicodeIPv4))]
    public async Task TransparentHost_InUnicodeDigits_IsRefusedAndNeverDialled(string literal)
    {
        using RawClient client = await RawClient.ConnectAsync(_gateway.PortOf(ListenerKind.TransparentHttp)!.Value);
        byte[] request = System.Text.Encoding.UTF8.GetBytes($"GET / HTTP/1.1\r\nHost: {literal}\r\nConnection: close\r\n\r\n");
        await client.Socket.SendAsync(request);
        (int status, string head, _) = await client.ReadResponseAsync();

        Assert.True(status is 400 or 403 or 502, $"{literal}: {head}");
        Assert.DoesNotContain(_dials.Attempts, e => e.Port == _tripwire.Port);
    }

    [Theory]
    [MemberData(nameof(NonCanonicalIPv4))]
    [MemberData(nameof(RefusedLiterals))]
    [MemberData(nameof(MalformedIPv6))]
    public async Task AbsoluteForm_ToAnySpellingOfAnInternalAddress_IsRefusedAndNeverDialled(string literal)
    {
        using RawClient client = await RawClient.ConnectAsync(_gateway.Port);
        string authority = $"{literal}:{_tripwire.Port}";
        await client.SendAsync($"GET http://{authority}/ HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
        (int status, string head, _) = await client.ReadResponseAsync();

        Assert.True(status is 400 or 403, $"{literal}: {head}");
        Assert.DoesNotContain(_dials.Attempts, e => e.Port == _tripwire.Port);
        Assert.Equal(0, _tripwire.Connections);
    }

    [Theory]
    [MemberData(nameof(NonCanonicalIPv4))]
    [MemberData(nameof(RefusedLiterals))]
    public async Task TransparentHost_NamingAnInternalAddress_IsRefusedAndNeverDialled(string literal)
    {
        using RawClient client = await RawClient.ConnectAsync(_gateway.PortOf(ListenerKind.TransparentHttp)!.Value);
        await client.SendAsync($"GET / HTTP/1.1\r\nHost: {literal}\r\nConnection: close\r\n\r\n");
        (int status, string head, _) = await client.ReadResponseAsync();

        Assert.True(status is 400 or 403, $"{literal}: {head}");
        Assert.DoesNotContain(_dials.Attempts, e => e.Port == _tripwire.Port);
    }

    [Fact]
    public async Task AfterEveryRefusal_ANormalTunnelStillWorks()
    {
        foreach (string literal in new[] { "2130706433", "[::ffff:127.0.0.1]", "[fe80::1%25lo]", "[::1]" })
        {
            using RawClient client = await RawClient.ConnectAsync(_gateway.Port);
            await client.SendAsync($"CONNECT {literal}:{_tripwire.Port} HTTP/1.1\r\n\r\n");
            await client.ReadResponseAsync();
        }

        // Loopback is closed in this gateway but for the exact rule naming the upstream.
        await Survival.AssertTunnelWorksAsync(_gateway.Port, fixture.Upstream.HttpPort, connectHost: "127.0.0.1");
    }

    /// <summary>One gateway for the whole table: allow-all, loopback closed but for an exact rule naming the upstream's plain port.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        internal DialRecorder Dials { get; } = new();

        internal Tripwire Tripwire { get; } = new();

        internal TestUpstream Upstream { get; private set; } = null!;

        internal GatewayUnderTest Gateway { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Upstream = await TestUpstream.StartAsync();
            Gateway = await GatewayUnderTest.StartAsync(
                [["policy", "set-default", "allow-all"], ["policy", "allow", "network", $"127.0.0.1:{Upstream.HttpPort}"]],
                config => config with { Listen = config.Listen with { TransparentHttp = new IPEndPoint(IPAddress.Loopback, 0) } },
                openLoopback: false,
                services: Dials.Install());
        }

        public async Task DisposeAsync()
        {
            await Gateway.DisposeAsync();
            await Upstream.DisposeAsync();
            Tripwire.Dispose();
        }
    }
}
