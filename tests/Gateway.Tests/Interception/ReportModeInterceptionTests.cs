using System.Text.Json;
using Gateway.Configuration;
using Gateway.Tests.Listeners;
using Gateway.Tests.Metrics;

namespace Gateway.Tests.Interception;

/// <summary>
/// <c>policy.mode: report</c> on intercepted hosts, with real curl: an L7 rule's denial goes
/// through, audited as <c>wouldBlock</c> with that rule; Host agreement, unambiguous paths and
/// placeholder leaks are still refused.
/// </summary>
public sealed class ReportModeInterceptionTests : IAsyncLifetime
{
    private const string Secret = "s3cr3t-REPORT-5b81d0";
    private const string ManagedValue = "managed-REPORT-c04e77";
    private InterceptedGateway _env = null!;

    public async Task InitializeAsync() => _env = await InterceptedGateway.StartAsync(Secret, ManagedValue, mode: PolicyMode.Report);

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Theory]
    [InlineData("GET", "/admin", "kit:intercept-kit/rules[1]")] // a deny rule
    [InlineData("POST", "/repos/a/b", "no-match")] // no allow rule for POST
    public async Task L7Denial_IsForwarded_AndAuditedAsWouldBlockWithTheRule(string method, string path, string ruleId)
    {
        var (exit, stdout, stderr) = await _env.CurlAsync("rules.example.test", path, "-i", "--http1.1", "-X", method);

        Assert.True(exit == 0, stderr);
        Assert.StartsWith("HTTP/1.1 200", stdout, StringComparison.Ordinal);
        Assert.EndsWith($"ok {method} {path} HTTP/1.1", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Gateway-Decision", stdout, StringComparison.OrdinalIgnoreCase);
        JsonElement e = await SingleEventAsync("rules.example.test");
        Assert.Equal(("allowed", true, ruleId, 200),
            (e.GetProperty("decision").GetString(), e.GetProperty("wouldBlock").GetBoolean(), e.GetProperty("ruleId").GetString(), e.GetProperty("status").GetInt32()));
    }

    [Fact]
    public async Task L7Denial_ThroughTheTransparentListener_IsForwarded_AndCountedAsTransparent()
    {
        await using InterceptedGateway env = await InterceptedGateway.StartAsync(Secret, ManagedValue, transparent: true, mode: PolicyMode.Report);

        var (exit, stdout, stderr) = await Curl.RunAsync(
            "--cacert", env.GatewayCaPath, "--http2",
            "--connect-to", $"rules.example.test:{env.Upstream.Port}:127.0.0.1:{env.TransparentTlsPort}",
            $"https://rules.example.test:{env.Upstream.Port}/admin");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Scrape scrape = Scrape.Parse(await http.GetStringAsync(env.Gateway.MetricsUrl + "/metrics"));
        await env.Gateway.StopAsync();

        Assert.True(exit == 0, stderr);
        Assert.Equal("ok GET /admin HTTP/2", stdout);
        Assert.Equal(1, scrape.Value("gateway_would_block_total", ("proxy", "transparent")));
        JsonElement e = Assert.Single(
            File.ReadAllLines(Path.Combine(env.Gateway.StateDir, "audit.jsonl")).Select(line => JsonDocument.Parse(line).RootElement),
            e => e.GetProperty("host").GetString() == "rules.example.test");
        Assert.Equal(("transparent", "allowed", true, "kit:intercept-kit/rules[1]"),
            (e.GetProperty("proxy").GetString(), e.GetProperty("decision").GetString(), e.GetProperty("wouldBlock").GetBoolean(), e.GetProperty("ruleId").GetString()));
    }

    [Fact]
    public async Task L7Allowed_IsNotMarked()
    {
        var (exit, _, stderr) = await _env.CurlAsync("rules.example.test", "/repos/a/b", "--http1.1");

        Assert.True(exit == 0, stderr);
        JsonElement e = await SingleEventAsync("rules.example.test");
        Assert.Equal(("allowed", false, "kit:intercept-kit/rules[0]"), (e.GetProperty("decision").GetString(), e.GetProperty("wouldBlock").GetBoolean(), e.GetProperty("ruleId").GetString()));
    }

    [Fact]
    public async Task L7Denial_IsCountedInWouldBlock()
    {
        var (exit, _, stderr) = await _env.CurlAsync("rules.example.test", "/admin", "--http1.1");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Scrape scrape = Scrape.Parse(await http.GetStringAsync(_env.Gateway.MetricsUrl + "/metrics"));

        Assert.True(exit == 0, stderr);
        Assert.Equal(1, scrape.Value("gateway_would_block_total", ("proxy", "forward")));
    }

    [Fact]
    public async Task ABoundHostThePolicyDenies_IsInterceptedAsIfAllowed_AndEveryRequestIsMarked()
    {
        (int code, string output) = _env.Gateway.Cli("policy", "deny", "network", "api.example.test");
        Assert.True(code == 0, output);

        var (exit, stdout, stderr) = await _env.CurlAsync("api.example.test", "/v1/denied", "--http1.1");

        // The kit binds the credential to this host, so it goes only where it may (invariant 2);
        // report mode merely does not refuse the connection.
        Assert.True(exit == 0, stderr);
        Assert.Equal("ok GET /v1/denied HTTP/1.1", stdout);
        Assert.Equal("Bearer " + Secret, Assert.Single(_env.Upstream.For("/v1/denied")).Headers["Authorization"]);
        JsonElement e = await SingleEventAsync("api.example.test");
        Assert.Equal(("allowed", true, "local", 200),
            (e.GetProperty("decision").GetString(), e.GetProperty("wouldBlock").GetBoolean(), e.GetProperty("rule").GetString(), e.GetProperty("status").GetInt32()));
        Assert.StartsWith("local:", e.GetProperty("ruleId").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostHeaderNamingAnotherHost_IsStill421()
    {
        var (exit, stdout, stderr) = await _env.CurlAsync("rules.example.test", "/admin", "-i", "--http1.1", "-H", $"Host: other.example.test:{_env.Upstream.Port}");

        Assert.True(exit == 0, stderr);
        Assert.StartsWith("HTTP/1.1 421", stdout, StringComparison.Ordinal);
        Assert.Empty(_env.Upstream.For("/admin"));
    }

    [Fact]
    public async Task AnAmbiguousPath_IsStill400()
    {
        var (exit, stdout, stderr) = await _env.CurlAsync("rules.example.test", "/x/%2e%2e/admin", "-i", "--http1.1", "--path-as-is");

        Assert.True(exit == 0, stderr);
        Assert.StartsWith("HTTP/1.1 400", stdout, StringComparison.Ordinal);
        Assert.Empty(_env.Upstream.Seen);
    }

    [Fact]
    public async Task Placeholder_ToAnUnboundHost_IsStillRefusedAsALeak()
    {
        string placeholder = await PlaceholderAsync();

        var (exit, stdout, stderr) = await _env.CurlAsync("rules.example.test", "/repos/a", "-i", "--http1.1", "-H", "X-Token: " + placeholder);

        Assert.True(exit == 0, stderr);
        Assert.StartsWith("HTTP/1.1 403", stdout, StringComparison.Ordinal);
        Assert.Contains("suspected leak", stdout, StringComparison.Ordinal);
        Assert.Empty(_env.Upstream.For("/repos/a"));
        JsonElement e = await SingleEventAsync("rules.example.test");
        Assert.Equal(("blocked", false, "placeholder-leak"), (e.GetProperty("decision").GetString(), e.GetProperty("wouldBlock").GetBoolean(), e.GetProperty("ruleId").GetString()));
    }

    [Fact]
    public async Task Placeholder_OverPlainHttp_ToAHostThePolicyDenies_IsStillRefusedAsALeak()
    {
        string placeholder = await PlaceholderAsync();
        await using TestUpstream plain = await TestUpstream.StartAsync();

        // No rule names 127.0.0.1: report mode lets the request itself through, the leak check does not.
        var (exit, stdout, stderr) = await Curl.RunAsync("-i", "-x", _env.Gateway.ProxyUrl, "-H", "X-Token: " + placeholder, $"http://127.0.0.1:{plain.HttpPort}/");
        var (cleanExit, clean, _) = await Curl.RunAsync("-x", _env.Gateway.ProxyUrl, $"http://127.0.0.1:{plain.HttpPort}/");

        Assert.True(exit == 0, stderr);
        Assert.StartsWith("HTTP/1.1 403", stdout, StringComparison.Ordinal);
        Assert.Contains("suspected leak", stdout, StringComparison.Ordinal);
        Assert.Equal((0, "hello from 127.0.0.1"), (cleanExit, clean));
        await _env.Gateway.StopAsync();
        string[] audit = await File.ReadAllLinesAsync(Path.Combine(_env.Gateway.StateDir, "audit.jsonl"));
        Assert.Contains(audit, line => line.Contains("\"ruleId\":\"placeholder-leak\"", StringComparison.Ordinal) && line.Contains("\"wouldBlock\":false", StringComparison.Ordinal));
        Assert.Contains(audit, line => line.Contains("\"ruleId\":\"no-match\"", StringComparison.Ordinal) && line.Contains("\"wouldBlock\":true", StringComparison.Ordinal));
    }

    private async Task<JsonElement> SingleEventAsync(string host)
    {
        await _env.Gateway.StopAsync(); // flushes the audit log
        return Assert.Single(
            File.ReadAllLines(Path.Combine(_env.Gateway.StateDir, "audit.jsonl")).Select(line => JsonDocument.Parse(line).RootElement),
            e => e.GetProperty("host").GetString() == host);
    }

    private async Task<string> PlaceholderAsync()
    {
        using HttpClient admin = AdminHttp.Create(_env.Gateway.StateDir);
        using JsonDocument environment = JsonDocument.Parse(await admin.GetStringAsync("/sandboxes/dev/environment"));
        return environment.RootElement.GetProperty("proxyManaged").GetProperty(_env.ManagedVariable).GetString()!;
    }
}
