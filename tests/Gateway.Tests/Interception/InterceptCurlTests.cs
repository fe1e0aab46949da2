using System.Text.Json;
using Gateway.Tests.Listeners;

namespace Gateway.Tests.Interception;

/// <summary>Issue 7 items 2–6 with real curl through the forward proxy to a real TLS upstream.</summary>
public sealed class InterceptCurlTests : IAsyncLifetime
{
    private const string Secret = "s3cr3t-FORWARD-7f3a9c";
    private const string ManagedValue = "managed-REAL-41d2e8";
    private InterceptedGateway _env = null!;

    public async Task InitializeAsync() => _env = await InterceptedGateway.StartAsync(Secret, ManagedValue);

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task BoundHost_OverHttp11_GetsTheHeader_AtTheUpstream()
    {
        var (exit, stdout, stderr) = await _env.CurlAsync("api.example.test", "/v1/h1", "--http1.1", "-H", "Authorization: Bearer sandbox-sent-this");

        Assert.True(exit == 0, stderr);
        Assert.Equal("ok GET /v1/h1 HTTP/1.1", stdout);
        SeenRequest seen = Assert.Single(_env.Upstream.For("/v1/h1"));
        Assert.Equal("Bearer " + Secret, seen.Headers["Authorization"]);
        Assert.Equal($"api.example.test:{_env.Upstream.Port}", seen.Host);
    }

    [Fact]
    public async Task BoundHost_OverHttp2_GetsTheHeader_AndStaysHttp2EndToEnd()
    {
        var (exit, stdout, stderr) = await _env.CurlAsync("api.example.test", "/v1/h2", "--http2", "-v");

        Assert.True(exit == 0, stderr);
        Assert.Contains("using HTTP/2", stderr, StringComparison.Ordinal); // curl ↔ gateway
        Assert.Equal("ok GET /v1/h2 HTTP/2", stdout); // gateway ↔ upstream
        Assert.Equal("Bearer " + Secret, Assert.Single(_env.Upstream.For("/v1/h2")).Headers["Authorization"]);
    }

    [Fact]
    public async Task Placeholder_ToTheBoundHost_IsReplacedByTheRealValue()
    {
        string placeholder = await PlaceholderAsync();

        var (exit, _, stderr) = await _env.CurlAsync("api.example.test", "/v1/managed", "-H", "X-Token: token=" + placeholder);

        Assert.True(exit == 0, stderr);
        Assert.Equal("token=" + ManagedValue, Assert.Single(_env.Upstream.For("/v1/managed")).Headers["X-Token"]);
    }

    [Fact]
    public async Task Placeholder_ToAnUnboundHost_IsRefused_NotReplaced_AndAuditedAsALeak()
    {
        string placeholder = await PlaceholderAsync();

        var (exit, stdout, stderr) = await _env.CurlAsync("rules.example.test", "/repos/a", "-i", "--http1.1", "-H", "X-Token: " + placeholder);

        Assert.True(exit == 0, stderr);
        Assert.StartsWith("HTTP/1.1 403", stdout, StringComparison.Ordinal);
        Assert.Contains("X-Gateway-Decision: blocked", stdout, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("suspected leak", stdout, StringComparison.Ordinal);
        Assert.Empty(_env.Upstream.For("/repos/a"));
        await _env.Gateway.StopAsync();
        string audit = await File.ReadAllTextAsync(Path.Combine(_env.Gateway.StateDir, "audit.jsonl"));
        Assert.Contains("\"ruleId\":\"placeholder-leak\"", audit, StringComparison.Ordinal);
        Assert.Contains("suspected credential leak", _env.Logs.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Placeholder_OverPlainHttp_IsRefusedAsALeak_EvenToTheBoundHost()
    {
        string placeholder = await PlaceholderAsync();
        await using TestUpstream plain = await TestUpstream.StartAsync();

        var (exit, stdout, stderr) = await Curl.RunAsync("-i", "-x", _env.Gateway.ProxyUrl, "-H", "X-Token: " + placeholder, $"http://api.example.test:{plain.HttpPort}/");
        var (cleanExit, clean, _) = await Curl.RunAsync("-x", _env.Gateway.ProxyUrl, $"http://api.example.test:{plain.HttpPort}/");

        Assert.True(exit == 0, stderr);
        Assert.StartsWith("HTTP/1.1 403", stdout, StringComparison.Ordinal);
        Assert.Contains("suspected leak", stdout, StringComparison.Ordinal);
        Assert.Equal((0, "hello from api.example.test"), (cleanExit, clean));
        await _env.Gateway.StopAsync();
        string audit = await File.ReadAllTextAsync(Path.Combine(_env.Gateway.StateDir, "audit.jsonl"));
        Assert.Contains("\"ruleId\":\"placeholder-leak\"", audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllowedHostWithoutBinding_IsNotIntercepted_TheClientSeesTheUpstreamsCertificate()
    {
        // Trusting only the upstream's own CA: this succeeds only if the bytes are relayed untouched.
        var (exit, stdout, stderr) = await Curl.RunAsync(
            "--cacert", _env.UpstreamCa.PemPath, "-x", _env.Gateway.ProxyUrl, "-v", $"https://other.example.test:{_env.Upstream.Port}/plain");

        Assert.True(exit == 0, stderr);
        Assert.Equal("ok GET /plain HTTP/2", stdout);
        Assert.Contains("issuer: CN=Intercept Test Upstream CA", stderr, StringComparison.Ordinal);
        Assert.False(Assert.Single(_env.Upstream.For("/plain")).Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task InterceptedRequest_IsAuditedWithItsMethodAndPath_WithoutTheQueryString()
    {
        var (exit, _, stderr) = await _env.CurlAsync("api.example.test", "/v1/audited?token=not-for-the-log", "-X", "POST", "-d", "x");

        Assert.True(exit == 0, stderr);
        await _env.Gateway.StopAsync();
        string audit = await File.ReadAllTextAsync(Path.Combine(_env.Gateway.StateDir, "audit.jsonl"));
        Assert.Contains("\"method\":\"POST\",\"path\":\"/v1/audited\"", audit, StringComparison.Ordinal);
        Assert.DoesNotContain("not-for-the-log", audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostHeaderNamingAnotherHost_Gets421_AndNothingIsSent()
    {
        var (exit, stdout, stderr) = await _env.CurlAsync("api.example.test", "/v1/misdirected", "-i", "--http1.1", "-H", $"Host: other.example.test:{_env.Upstream.Port}");

        Assert.True(exit == 0, stderr);
        Assert.StartsWith("HTTP/1.1 421", stdout, StringComparison.Ordinal);
        Assert.Empty(_env.Upstream.For("/v1/misdirected"));
    }

    [Fact]
    public async Task SniNamingAnotherHost_ThanTheConnectAuthority_IsRefusedInTheHandshake()
    {
        // curl's --connect-to keeps the URL's name for SNI while the proxy is asked for another.
        var (exit, _, _) = await Curl.RunAsync(
            "--cacert", _env.GatewayCaPath, "-x", _env.Gateway.ProxyUrl,
            "--connect-to", $"other.example.test:{_env.Upstream.Port}:api.example.test:{_env.Upstream.Port}",
            $"https://other.example.test:{_env.Upstream.Port}/v1/sni");

        Assert.NotEqual(0, exit);
        Assert.Empty(_env.Upstream.For("/v1/sni"));
    }

    [Fact]
    public async Task ClientThatDoesNotTrustTheGatewayCa_FailsTheHandshake_AndTheConnectionIsAudited()
    {
        var (exit, _, _) = await Curl.RunAsync("--cacert", _env.UpstreamCa.PemPath, "-x", _env.Gateway.ProxyUrl, $"https://api.example.test:{_env.Upstream.Port}/v1/untrusted");
        await _env.Gateway.StopAsync();
        string audit = await File.ReadAllTextAsync(Path.Combine(_env.Gateway.StateDir, "audit.jsonl"));

        Assert.Equal(60, exit); // CURLE_PEER_FAILED_VERIFICATION: the leaf is the gateway's, not the upstream's
        Assert.Empty(_env.Upstream.For("/v1/untrusted"));
        Assert.Contains("\"host\":\"api.example.test\"", audit, StringComparison.Ordinal);
        Assert.Contains("\"status\":0", audit, StringComparison.Ordinal);
        Assert.Contains("TLS handshake for intercepted", _env.Logs.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedirectToAnotherHost_IsReturnedToTheClient_NotFollowed()
    {
        var (exit, stdout, stderr) = await _env.CurlAsync("api.example.test", "/redirect", "-i", "--http1.1");

        Assert.True(exit == 0, stderr);
        Assert.StartsWith("HTTP/1.1 302", stdout, StringComparison.Ordinal);
        Assert.Contains($"Location: https://other.example.test:{_env.Upstream.Port}/landed", stdout, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(_env.Upstream.For("/landed"));
    }

    [Theory]
    [InlineData("GET", "/repos/a/b", 200, null)]
    [InlineData("HEAD", "/repos/a/b", 200, null)]
    [InlineData("POST", "/repos/a/b", 403, "no-match")]
    [InlineData("GET", "/admin", 403, "kit:intercept-kit/rules[1]")]
    [InlineData("GET", "/admin/users", 403, "kit:intercept-kit/rules[1]")]
    [InlineData("GET", "/administrator", 200, null)]
    [InlineData("GET", "/repos/a/keys", 403, "kit:intercept-kit/rules[1]")]
    [InlineData("GET", "/x/%2e%2e/admin", 400, null)]
    [InlineData("GET", "/repos%2Fa", 400, null)]
    public async Task L7Rules_DecideEachRequest_ByMethodAndPath(string method, string path, int status, string? rule)
    {
        string[] methodArgs = method == "HEAD" ? ["-I"] : ["-X", method];
        var (exit, stdout, stderr) = await _env.CurlAsync("rules.example.test", path, ["-i", "--http1.1", "--path-as-is", .. methodArgs]);

        Assert.True(exit == 0, stderr);
        Assert.StartsWith($"HTTP/1.1 {status}", stdout, StringComparison.Ordinal);
        if (rule is not null)
        {
            Assert.Contains("X-Gateway-Decision: blocked", stdout, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("X-Gateway-Rule: " + rule, stdout, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Equal(status == 200, _env.Upstream.Seen.Any(s => s.Method == method));
    }

    private async Task<string> PlaceholderAsync()
    {
        using HttpClient admin = AdminHttp.Create(_env.Gateway.StateDir);
        using JsonDocument environment = JsonDocument.Parse(await admin.GetStringAsync("/sandboxes/dev/environment"));
        Assert.Equal("vi", environment.RootElement.GetProperty("variables").GetProperty("EDITOR").GetString());
        string placeholder = environment.RootElement.GetProperty("proxyManaged").GetProperty(_env.ManagedVariable).GetString()!;
        Assert.StartsWith("gw-placeholder-", placeholder, StringComparison.Ordinal);
        Assert.DoesNotContain(ManagedValue, placeholder, StringComparison.Ordinal);
        return placeholder;
    }
}
