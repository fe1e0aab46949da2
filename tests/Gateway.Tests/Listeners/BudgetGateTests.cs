using System.Collections.Immutable;
using System.Net;
using System.Text.Json;
using Gateway.Configuration;
using Gateway.Metrics;
using Gateway.Tests.Metrics;
using Microsoft.Extensions.DependencyInjection;
using PolicyCompiler.Budgets;

namespace Gateway.Tests.Listeners;

/// <summary>
/// Issue 21 point 4 on the connection paths, with real sockets from two loopback source addresses
/// (two sandboxes): a sandbox past its connection budget gets 429 on the forward proxy and a
/// close on transparent TLS, audited as <c>budget:connections</c> and counted; its slot comes back
/// when a connection ends; and another sandbox keeps getting through (invariant 9).
/// </summary>
public sealed partial class BudgetGateTests : IAsyncLifetime
{
    private static readonly IPAddress s_flooder = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress s_neighbour = IPAddress.Parse("127.0.0.3");
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    private TestUpstream _upstream = null!;

    public async Task InitializeAsync() => _upstream = await TestUpstream.StartAsync();

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    [Fact]
    public async Task ForwardConnect_PastTheConnectionsBudget_Gets429_AuditedAndCounted()
    {
        GatewayUnderTest gateway = await StartAsync(flooder: new BudgetLimits(2, null, null, null));
        try
        {
            using RawClient first = await OpenTunnelAsync(gateway, s_flooder);
            using RawClient second = await OpenTunnelAsync(gateway, s_flooder);

            (int status, string head, string body) = await ConnectAsync(gateway, s_flooder);

            Assert.Equal(429, status);
            Assert.Contains("X-Gateway-Decision: blocked", head, StringComparison.Ordinal);
            Assert.Contains("budgets.connections", body, StringComparison.Ordinal);
            Assert.Equal(1, await ExceededAsync(gateway, "connections"));
        }
        finally
        {
            List<JsonElement> events = await AuditAsync(gateway);
            await gateway.DisposeAsync();
            JsonElement refused = Assert.Single(events, e => e.GetProperty("ruleId").GetString() == "budget:connections");
            Assert.Equal(("flooder", "blocked", 429, "forward"), (refused.GetProperty("sandbox").GetString(), refused.GetProperty("decision").GetString(),
                refused.GetProperty("status").GetInt32(), refused.GetProperty("proxy").GetString()));
        }
    }

    [Fact]
    public async Task ClosingATunnel_GivesItsSlotBack()
    {
        await using GatewayUnderTest gateway = await StartAsync(flooder: new BudgetLimits(1, null, null, null));
        RawClient first = await OpenTunnelAsync(gateway, s_flooder);
        (int whileOpen, _, _) = await ConnectAsync(gateway, s_flooder);

        first.Dispose();

        // The gateway learns of the close asynchronously: retry (bounded) until the slot is back.
        int afterClose = 0;
        using var deadline = new CancellationTokenSource(s_wait);
        while (afterClose != 200 && !deadline.IsCancellationRequested)
        {
            using RawClient again = await RawClient.ConnectAsync(gateway.Port, s_flooder);
            await again.SendAsync($"CONNECT api.example.test:{_upstream.HttpPort} HTTP/1.1\r\n\r\n");
            (afterClose, _, _) = await again.ReadResponseAsync();
            if (afterClose != 200)
            {
                await Task.Delay(50, CancellationToken.None);
            }
        }

        Assert.Equal((429, 200), (whileOpen, afterClose));
    }

    [Fact]
    public async Task AFloodingSandbox_IsHeldAtItsBudget_AndItsNeighbourStillConnects()
    {
        // limits.maxConnections is global: 10 slots for everyone. The flooder's budget is 4.
        await using GatewayUnderTest gateway = await StartAsync(flooder: new BudgetLimits(4, null, null, null), maxConnections: 10);
        var flood = new List<RawClient>();
        var floodStatuses = new List<int>();
        try
        {
            for (int i = 0; i < 20; i++)
            {
                RawClient client = await RawClient.ConnectAsync(gateway.Port, s_flooder);
                flood.Add(client);
                await client.SendAsync($"CONNECT api.example.test:{_upstream.HttpPort} HTTP/1.1\r\n\r\n");
                (int status, _, _) = await client.ReadResponseAsync();
                floodStatuses.Add(status);
            }

            var neighbour = new List<int>();
            for (int i = 0; i < 5; i++)
            {
                using RawClient client = await OpenTunnelAsync(gateway, s_neighbour);
                neighbour.Add(200);
            }

            Assert.Equal(4, floodStatuses.Count(s => s == 200));
            Assert.Equal(16, floodStatuses.Count(s => s == 429));
            Assert.Equal(5, neighbour.Count);
        }
        finally
        {
            flood.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task WithoutBudgets_OneSandboxTakesEveryGlobalSlot_AndItsNeighbourGets503()
    {
        // What budgets are for: the reproduction of the starvation (SECURITY.md, Round 2: budgets).
        await using GatewayUnderTest gateway = await StartAsync(flooder: BudgetLimits.None, maxConnections: 10);
        var flood = new List<RawClient>();
        try
        {
            for (int i = 0; i < 10; i++)
            {
                flood.Add(await OpenTunnelAsync(gateway, s_flooder));
            }

            (int neighbour, _, _) = await ConnectAsync(gateway, s_neighbour);

            Assert.Equal(503, neighbour);
        }
        finally
        {
            flood.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task TransparentTls_PastTheConnectionsBudget_IsClosedWithoutAByte_AndAudited()
    {
        GatewayUnderTest gateway = await StartAsync(
            flooder: new BudgetLimits(1, null, null, null),
            configure: c => c with { Listen = c.Listen with { TransparentTls = new IPEndPoint(IPAddress.Loopback, 0) } });
        try
        {
            int port = gateway.PortOf(Gateway.Listeners.ListenerKind.TransparentTls)!.Value;
            using RawClient holding = await RawClient.ConnectAsync(port, s_flooder); // waits for its ClientHello: holds the slot
            await Task.Delay(100); // not a timing assertion: lets the accept run before the next connect
            using RawClient refused = await RawClient.ConnectAsync(port, s_flooder);

            string answer = await refused.ReadToEndAsync();

            Assert.Equal(string.Empty, answer);
            Assert.Equal(1, await ExceededAsync(gateway, "connections"));
        }
        finally
        {
            List<JsonElement> events = await AuditAsync(gateway);
            await gateway.DisposeAsync();
            JsonElement refused = Assert.Single(events, e => e.GetProperty("ruleId").GetString() == "budget:connections");
            Assert.Equal(("flooder", "transparent", 0), (refused.GetProperty("sandbox").GetString(), refused.GetProperty("proxy").GetString(), refused.GetProperty("status").GetInt32()));
        }
    }

    private Task<GatewayUnderTest> StartAsync(BudgetLimits flooder, int maxConnections = 1000, Func<GatewayConfig, GatewayConfig>? configure = null) =>
        GatewayUnderTest.StartAsync(
            [["policy", "set-default", "allow-all"]],
            config => (configure ?? (c => c))(config with
            {
                Limits = config.Limits with { MaxConnections = maxConnections },
                Sandboxes =
                [
                    new SandboxConfig("flooder", [s_flooder], [], null) { Budgets = flooder },
                    new SandboxConfig("neighbour", [s_neighbour], [], null),
                ],
            }));

    private async Task<RawClient> OpenTunnelAsync(GatewayUnderTest gateway, IPAddress source)
    {
        RawClient client = await RawClient.ConnectAsync(gateway.Port, source);
        await client.SendAsync($"CONNECT api.example.test:{_upstream.HttpPort} HTTP/1.1\r\n\r\n");
        (int status, _, string body) = await client.ReadResponseAsync();
        Assert.True(status == 200, $"{status} {body}");
        return client;
    }

    private async Task<(int Status, string Head, string Body)> ConnectAsync(GatewayUnderTest gateway, IPAddress source)
    {
        using RawClient client = await RawClient.ConnectAsync(gateway.Port, source);
        await client.SendAsync($"CONNECT api.example.test:{_upstream.HttpPort} HTTP/1.1\r\n\r\n");
        return await client.ReadResponseAsync();
    }

    private static async Task<double> ExceededAsync(GatewayUnderTest gateway, string budget) =>
        (await Scrape.OfAsync(gateway.Services.GetRequiredService<GatewayMetrics>())).Value("gateway_budget_exceeded_total", ("budget", budget));

    private static Task<List<JsonElement>> AuditAsync(GatewayUnderTest gateway) => Gateway.Tests.Dialing.Socks5EndToEndTests.AuditAsync(gateway);
}
