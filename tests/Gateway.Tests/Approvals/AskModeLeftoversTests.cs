using System.Text.Json;
using Gateway.Cli;
using Gateway.Configuration;
using Gateway.Tests.Audit;
using Gateway.Tests.Listeners;
using Gateway.Tests.Metrics;

namespace Gateway.Tests.Approvals;

/// <summary>
/// Issue 20 point 3 leftovers: a held request is one decision in <c>gateway_decisions_total</c>,
/// whatever its end; and <c>policy log --follow</c> shows a request as soon as it starts waiting
/// (a PENDING line from the approvals feed: the audit log keeps one event per outcome).
/// </summary>
public sealed class AskModeLeftoversTests : IAsyncLifetime
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);
    private TestUpstream _upstream = null!;

    public async Task InitializeAsync() => _upstream = await TestUpstream.StartAsync();

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    [Fact]
    public async Task AnApprovedRequest_IsCountedOnce_AsAllowed()
    {
        await using GatewayUnderTest gateway = await AskGateway.StartAsync(TimeSpan.FromSeconds(60));
        Task<(int Exit, string Stdout, string Stderr)> curl = Curl.RunAsync("-k", "-x", gateway.ProxyUrl, $"https://api.example.test:{_upstream.HttpsPort}/");
        string id = (await AskGateway.WaitForPendingAsync(gateway, "api.example.test")).GetProperty("id").GetString()!;
        Scrape whileHeld = await ScrapeAsync(gateway);

        Assert.Equal(0, gateway.Cli("policy", "approve", id).Exit);
        (int exit, _, string stderr) = await curl;
        Scrape after = await ScrapeAsync(gateway);

        Assert.True(exit == 0, stderr);
        Assert.Equal(0, whileHeld.Value("gateway_decisions_total", ("decision", "blocked"), ("proxy", "forward")));
        Assert.Equal(1, after.Value("gateway_decisions_total", ("decision", "allowed"), ("proxy", "forward")));
        Assert.Equal(0, after.Value("gateway_decisions_total", ("decision", "blocked"), ("proxy", "forward")));
    }

    [Fact]
    public async Task ARejectedRequest_IsCountedOnce_AsBlocked()
    {
        await using GatewayUnderTest gateway = await AskGateway.StartAsync(TimeSpan.FromSeconds(60));
        Task<(int Exit, string Stdout, string Stderr)> curl = Curl.RunAsync("-k", "-x", gateway.ProxyUrl, $"https://api.example.test:{_upstream.HttpsPort}/");
        string id = (await AskGateway.WaitForPendingAsync(gateway, "api.example.test")).GetProperty("id").GetString()!;

        Assert.Equal(0, gateway.Cli("policy", "reject", id).Exit);
        await curl;
        Scrape after = await ScrapeAsync(gateway);

        Assert.Equal(0, after.Value("gateway_decisions_total", ("decision", "allowed"), ("proxy", "forward")));
        Assert.Equal(1, after.Value("gateway_decisions_total", ("decision", "blocked"), ("proxy", "forward")));
    }

    [Fact]
    public async Task Follow_PrintsAPendingLine_WhenARequestStartsWaiting_AndListsWhatWaitsWhenItStarts()
    {
        await using GatewayUnderTest gateway = await AskGateway.StartAsync(TimeSpan.FromSeconds(60));
        (string[] text, string textOutput) = await FollowAsync(gateway, "other.example.test", send: true, "policy", "log", "--follow");
        string id = (await AskGateway.WaitForPendingAsync(gateway, "other.example.test")).GetProperty("id").GetString()!;
        (string[] json, _) = await FollowAsync(gateway, id, send: false, "policy", "log", "--follow", "--json");

        Assert.Matches(
            $@"^\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ   host   PENDING   other\.example\.test:{_upstream.HttpsPort}   forward   -   -   approval {id} until \S+Z: gateway policy approve {id}$",
            Assert.Single(text));
        Assert.DoesNotContain("BLOCKED", textOutput, StringComparison.Ordinal); // still waiting: no audit event yet
        using var line = JsonDocument.Parse(Assert.Single(json));
        Assert.Equal(("pending", id, "host"), (line.RootElement.GetProperty("event").GetString(), line.RootElement.GetProperty("id").GetString(), line.RootElement.GetProperty("sandbox").GetString()));
    }

    // Runs `policy log --follow …` until it prints a line naming `awaited` (after sending a held CONNECT for it when `send`), then stops it as Ctrl-C does.
    private async Task<(string[] Lines, string Output)> FollowAsync(GatewayUnderTest gateway, string awaited, bool send, params string[] args)
    {
        using var stop = new CancellationTokenSource();
        var output = new LineCapture();
        Task<int> follow = Task.Run(() => GatewayCli.Run(["--state-dir", gateway.StateDir, .. args], Context(output, stop.Token)));
        RawClient? client = null;
        if (send)
        {
            client = await RawClient.ConnectAsync(gateway.Port);
            await client.SendAsync($"CONNECT {awaited}:{_upstream.HttpsPort} HTTP/1.1\r\nHost: {awaited}:{_upstream.HttpsPort}\r\n\r\n");
        }

        try
        {
            Assert.True(await output.WaitForAsync(awaited, s_wait), $"--follow printed no line naming {awaited} within {s_wait}: {output}"); // bounded wait, not a latency assertion
            await stop.CancelAsync();
            Assert.Equal(0, await follow.WaitAsync(s_wait));
            string printed = output.ToString();
            return ([.. printed.Split('\n').Where(l => l.Contains(awaited, StringComparison.Ordinal))], printed);
        }
        finally
        {
            client?.Dispose();
        }
    }

    private static CliContext Context(TextWriter output, CancellationToken stop) => new()
    {
        Out = output,
        Error = output,
        In = TextReader.Null,
        InteractiveInput = false,
        Environment = ConfigLoader.NoEnvironment,
        Cancellation = stop,
    };

    private static async Task<Scrape> ScrapeAsync(GatewayUnderTest gateway)
    {
        using var http = new HttpClient { Timeout = s_wait };
        return Scrape.Parse(await http.GetStringAsync(gateway.MetricsUrl + "/metrics"));
    }
}
