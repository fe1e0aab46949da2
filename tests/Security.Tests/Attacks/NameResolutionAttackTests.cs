using System.Net;
using Gateway.Tests.Listeners;
using Security.Tests.Harness;

namespace Security.Tests.Attacks;

/// <summary>
/// Invariant 5 for names: an allowed name whose answer is internal is refused at dial time,
/// under an allow-all policy, whatever the answer's wrapping; and an answer that changes
/// between lookups (rebinding) never gets an internal address dialled, because the address
/// checked is the address dialled.
/// </summary>
public sealed class NameResolutionAttackTests(NameResolutionAttackTests.Fixture fixture) : IClassFixture<NameResolutionAttackTests.Fixture>
{
    private static readonly Dictionary<string, IPAddress[]> s_answers = new(StringComparer.Ordinal)
    {
        ["loopback.example.test"] = [IPAddress.Loopback],
        ["loopback6.example.test"] = [IPAddress.IPv6Loopback],
        ["private.example.test"] = [IPAddress.Parse("10.1.2.3")],
        ["private172.example.test"] = [IPAddress.Parse("172.31.255.1")],
        ["metadata.example.test"] = [IPAddress.Parse("169.254.169.254")],
        ["ecs.example.test"] = [IPAddress.Parse("169.254.170.2")],
        ["cgnat.example.test"] = [IPAddress.Parse("100.64.1.1")],
        ["unspecified.example.test"] = [IPAddress.Any],
        ["mapped.example.test"] = [IPAddress.Parse("::ffff:127.0.0.1")],
        ["mapped-meta.example.test"] = [IPAddress.Parse("::ffff:169.254.169.254")],
        ["compatible.example.test"] = [IPAddress.Parse("::127.0.0.1")],
        ["nat64.example.test"] = [IPAddress.Parse("64:ff9b::a9fe:a9fe")],
        ["sixtofour.example.test"] = [IPAddress.Parse("2002:7f00:1::1")],
        ["ula.example.test"] = [IPAddress.Parse("fd00::1")],
        ["aws6.example.test"] = [IPAddress.Parse("fd00:ec2::254")],
        ["linklocal6.example.test"] = [IPAddress.Parse("fe80::1")],
        ["all-internal.example.test"] = [IPAddress.Loopback, IPAddress.Parse("10.0.0.1"), IPAddress.Parse("fd00::1")],
    };

    public static TheoryData<string> InternalNames => [.. s_answers.Keys];

    [Theory]
    [MemberData(nameof(InternalNames))]
    public async Task Connect_ToANameThatResolvesInternally_Is403FromTheGuard_AndNothingIsDialled(string name)
    {
        using RawClient client = await RawClient.ConnectAsync(fixture.Gateway.Port);
        await client.SendAsync($"CONNECT {name}:{fixture.Tripwire.Port} HTTP/1.1\r\n\r\n");
        (int status, string head, string body) = await client.ReadResponseAsync();

        Assert.True(status == 403, $"{name}: {head}\n{body}");
        Assert.Contains("egress-guard", body, StringComparison.Ordinal);
        Assert.Equal(0, fixture.Tripwire.Connections);
        Assert.DoesNotContain(fixture.Dials.Attempts, e => e.Port == fixture.Tripwire.Port);
    }

    [Theory]
    [MemberData(nameof(InternalNames))]
    public async Task AbsoluteForm_ToANameThatResolvesInternally_Is403(string name)
    {
        using RawClient client = await RawClient.ConnectAsync(fixture.Gateway.Port);
        await client.SendAsync($"GET http://{name}:{fixture.Tripwire.Port}/ HTTP/1.1\r\nHost: {name}:{fixture.Tripwire.Port}\r\n\r\n");
        (int status, string head, _) = await client.ReadResponseAsync();

        Assert.True(status == 403, $"{name}: {head}");
        Assert.Equal(0, fixture.Tripwire.Connections);
    }

    [Fact]
    public async Task Rebinding_AnswerThatFlipsBetweenPublicAndLoopback_NeverGetsLoopbackDialled()
    {
        int[] statuses = new int[20];
        for (int i = 0; i < statuses.Length; i++)
        {
            using RawClient client = await RawClient.ConnectAsync(fixture.Gateway.Port);
            await client.SendAsync($"CONNECT rebind.example.test:{fixture.Tripwire.Port} HTTP/1.1\r\n\r\n");
            statuses[i] = (await client.ReadResponseAsync()).Status;
        }

        // Public answers are "dialled" (the recorder refuses them without a packet: 502); loopback answers are never dialled (403).
        Assert.Contains(403, statuses);
        Assert.Contains(502, statuses);
        Assert.All(statuses, s => Assert.True(s is 403 or 502, s.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(0, fixture.Tripwire.Connections);
        Assert.DoesNotContain(fixture.Dials.Attempts, e => e.Port == fixture.Tripwire.Port && IPAddress.IsLoopback(e.Address));
    }

    [Fact]
    public async Task MixedAnswer_PublicAndInternal_DialsOnlyThePublicAddress()
    {
        using RawClient client = await RawClient.ConnectAsync(fixture.Gateway.Port);
        await client.SendAsync($"CONNECT mixed.example.test:{fixture.Tripwire.Port} HTTP/1.1\r\n\r\n");
        (int status, _, _) = await client.ReadResponseAsync();

        Assert.Equal(502, status); // the one public address is unreachable here by construction
        Assert.Equal(0, fixture.Tripwire.Connections);
        IPEndPoint[] tried = [.. fixture.Dials.Attempts.Where(e => e.Port == fixture.Tripwire.Port)];
        Assert.NotEmpty(tried);
        Assert.All(tried, e => Assert.Equal(IPAddress.Parse("9.9.9.9"), e.Address));
    }

    [Fact]
    public async Task AfterTheGuardRefusals_ANormalTunnelStillWorks() =>
        await Survival.AssertTunnelWorksAsync(fixture.Gateway.Port, fixture.Upstream.HttpPort, connectHost: "127.0.0.1");

    /// <summary>Allow-all, loopback closed (but for the upstream's exact address and port), DNS scripted.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        internal DialRecorder Dials { get; } = new(Answer);

        internal Tripwire Tripwire { get; } = new();

        internal TestUpstream Upstream { get; private set; } = null!;

        internal GatewayUnderTest Gateway { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Upstream = await TestUpstream.StartAsync();
            Gateway = await GatewayUnderTest.StartAsync(
                [["policy", "set-default", "allow-all"], ["policy", "allow", "network", $"127.0.0.1:{Upstream.HttpPort}"]],
                openLoopback: false,
                services: Dials.Install());
        }

        public async Task DisposeAsync()
        {
            await Gateway.DisposeAsync();
            await Upstream.DisposeAsync();
            Tripwire.Dispose();
        }

        // 9.9.9.9 is public to the guard; the recorder refuses to dial anything but loopback, so no packet leaves.
        private static IPAddress[] Answer(string name, int lookup) => name switch
        {
            "rebind.example.test" => [lookup % 2 == 0 ? IPAddress.Parse("9.9.9.9") : IPAddress.Loopback],
            "mixed.example.test" => [IPAddress.Loopback, IPAddress.Parse("9.9.9.9"), IPAddress.Parse("::ffff:10.0.0.1")],
            _ => s_answers.GetValueOrDefault(name) ?? [],
        };
    }
}
