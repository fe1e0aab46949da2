using System.Net;
using Gateway.Configuration;
using Gateway.Listeners;
using PolicyCompiler.Budgets;

namespace Gateway.Tests.Listeners;

/// <summary>Issue 21 point 4 on the transparent HTTP listener: a connection past the budget and requests past the rate both get 429.</summary>
public sealed partial class BudgetGateTests
{
    [Fact]
    public async Task TransparentHttp_PastTheConnectionsBudget_Gets429()
    {
        await using GatewayUnderTest gateway = await StartTransparentHttpAsync(new BudgetLimits(1, null, null, null));
        int port = gateway.PortOf(ListenerKind.TransparentHttp)!.Value;
        using RawClient holding = await RawClient.ConnectAsync(port, s_flooder);
        await holding.SendAsync("GET / HTTP/1.1\r\nHost: api.example.test\r\n\r\n");
        (int first, _, _) = await holding.ReadResponseAsync(); // keep-alive: the connection stays open, holding the slot

        using RawClient second = await RawClient.ConnectAsync(port, s_flooder);
        await second.SendAsync("GET / HTTP/1.1\r\nHost: api.example.test\r\n\r\n");
        (int refused, _, string body) = await second.ReadResponseAsync();

        Assert.Equal((200, 429), (first, refused));
        Assert.Contains("budgets.connections", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TransparentHttp_PastRequestsPerSecond_Gets429()
    {
        await using GatewayUnderTest gateway = await StartTransparentHttpAsync(new BudgetLimits(null, null, 2, null));
        int port = gateway.PortOf(ListenerKind.TransparentHttp)!.Value;
        string url = $"http://api.example.test:{port}/";

        var (exit, stdout, stderr) = await Curl.RunAsync(
            ["--interface", s_flooder.ToString(), "--resolve", $"api.example.test:{port}:127.0.0.1", "-w", "%{http_code}\\n",
             .. Enumerable.Repeat<string[]>(["-o", "/dev/null", url], 12).SelectMany(a => a)]);

        Assert.True(exit == 0, stderr);
        string[] statuses = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(12, statuses.Length);
        Assert.Contains("200", statuses);
        Assert.Contains("429", statuses);
    }

    private Task<GatewayUnderTest> StartTransparentHttpAsync(BudgetLimits flooder) =>
        StartAsync(flooder, configure: c => c with
        {
            Listen = c.Listen with { TransparentHttp = new IPEndPoint(IPAddress.Loopback, 0) },
            Transparent = c.Transparent with { DialHttpPort = _upstream.HttpPort },
        });
}
