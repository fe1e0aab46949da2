using System.Net;
using Gateway.Configuration;
using Gateway.Dns;
using Gateway.Listeners;
using Gateway.Tests.Listeners;
using Microsoft.Extensions.DependencyInjection;
using Security.Tests.Harness;

namespace Security.Tests.Attacks;

/// <summary>
/// Proxying to the gateway's own listeners: even where loopback is open (a <c>localhost</c>
/// rule for host services, or 127.0.0.0/8 in <c>egress.allowCidrs</c>), a tunnel to the
/// gateway itself would loop, and the inner connection, arriving from 127.0.0.1, would be
/// identified as the sandbox <c>host</c>: another sandbox's policy and token, and the metrics
/// port that invariant 1 keeps from sandboxes. Every listener of the gateway is refused.
/// </summary>
public sealed class LoopAttackTests(LoopAttackTests.Fixture fixture) : IClassFixture<LoopAttackTests.Fixture>
{
    public static TheoryData<string> Listeners => [ListenerKind.Forward, ListenerKind.TransparentHttp, ListenerKind.TransparentTls, ListenerKind.Metrics];

    [Theory]
    [MemberData(nameof(Listeners))]
    public async Task Connect_ToTheGatewaysOwnListener_IsRefused(string listener)
    {
        int port = fixture.Gateway.PortOf(listener)!.Value;
        foreach (string host in new[] { "127.0.0.1", "localhost", "api.example.test", "[::ffff:127.0.0.1]" })
        {
            using RawClient client = await RawClient.ConnectAsync(fixture.Gateway.Port);
            await client.SendAsync($"CONNECT {host}:{port} HTTP/1.1\r\n\r\n");
            (int status, string head, string body) = await client.ReadResponseAsync();

            // localhost is 127.0.0.1 and ::1: the first is the gateway (refused), on the second nothing listens (502).
            Assert.True(status == 403 || (host == "localhost" && status == 502), $"CONNECT {host}:{port} ({listener}): {head}\n{body}");
        }
    }

    [Theory]
    [MemberData(nameof(Listeners))]
    public async Task AbsoluteForm_ToTheGatewaysOwnListener_IsRefused(string listener)
    {
        int port = fixture.Gateway.PortOf(listener)!.Value;
        using RawClient client = await RawClient.ConnectAsync(fixture.Gateway.Port);
        await client.SendAsync($"GET http://127.0.0.1:{port}/metrics HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
        (int status, string head, string body) = await client.ReadResponseAsync();

        Assert.True(status == 403, $"{listener}: {head}\n{body}");
    }

    [Fact]
    public async Task Connect_ToTheGatewaysOwnDnsListener_IsRefused()
    {
        int port = fixture.Gateway.Services.GetRequiredService<DnsServer>().EndPoint!.Port;
        using RawClient client = await RawClient.ConnectAsync(fixture.Gateway.Port);
        await client.SendAsync($"CONNECT 127.0.0.1:{port} HTTP/1.1\r\n\r\n");
        (int status, string head, _) = await client.ReadResponseAsync();

        Assert.True(status == 403, head);
    }

    [Fact]
    public async Task TheSandboxCannotBecomeHostThroughALoop_AndOtherLoopbackServicesStillWork()
    {
        int forward = fixture.Gateway.Port;
        using RawClient client = await RawClient.ConnectAsync(forward, IPAddress.Parse("127.0.0.2"));
        await client.SendAsync($"CONNECT 127.0.0.1:{forward} HTTP/1.1\r\nProxy-Authorization: Basic {Token()}\r\n\r\n");
        (int status, string head, _) = await client.ReadResponseAsync();
        Assert.True(status == 403, head);

        await Survival.AssertTunnelWorksAsync(forward, fixture.Upstream.HttpPort);
    }

    private static string Token() => Convert.ToBase64String("agent:secret-token"u8);

    /// <summary>Allow-all with loopback open in every way an operator can open it; one registered sandbox with a token on 127.0.0.2.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        internal TestUpstream Upstream { get; private set; } = null!;

        internal GatewayUnderTest Gateway { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Upstream = await TestUpstream.StartAsync();
            Gateway = await GatewayUnderTest.StartAsync(
                [["policy", "set-default", "allow-all"], ["policy", "allow", "network", "localhost"]],
                config => config with
                {
                    Listen = config.Listen with
                    {
                        TransparentHttp = new IPEndPoint(IPAddress.Loopback, 0),
                        TransparentTls = new IPEndPoint(IPAddress.Loopback, 0),
                        Dns = new IPEndPoint(IPAddress.Loopback, 0),
                    },
                    Sandboxes = [new SandboxConfig("agent", [IPAddress.Parse("127.0.0.2")], [], "secret-token")],
                },
                openLoopback: true);
        }

        public async Task DisposeAsync()
        {
            await Gateway.DisposeAsync();
            await Upstream.DisposeAsync();
        }
    }
}
