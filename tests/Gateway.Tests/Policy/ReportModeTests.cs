using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Gateway.Configuration;
using Gateway.Dns;
using Gateway.Listeners;
using Gateway.Tests.Dns;
using Gateway.Tests.Listeners;
using Gateway.Tests.Interception;
using Gateway.Tests.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Policy;

/// <summary>
/// <c>policy.mode: report</c> on every listener of a real daemon, with real curl: what enforce mode
/// refuses for the policy's sake goes through, audited as allowed with <c>wouldBlock</c> and the
/// rule that would have blocked it; what is not the policy's to decide is still refused.
/// </summary>
public sealed class ReportModeTests : IAsyncLifetime
{
    private TestUpstream _upstream = null!;
    private GatewayUnderTest _gateway = null!;
    private CapturedLogs _logs = null!;

    public async Task InitializeAsync()
    {
        _upstream = await TestUpstream.StartAsync();
        (_gateway, _logs) = await StartAsync(_upstream, PolicyMode.Report);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        _logs.Dispose();
    }

    [Fact]
    public async Task Connect_ToAHostNoRuleAllows_IsRelayed_AndAuditedAsWouldBlock()
    {
        var (exit, stdout, stderr) = await Curl.RunAsync("-k", "-x", _gateway.ProxyUrl, $"https://other.example.test:{_upstream.HttpsPort}/");

        Assert.True(exit == 0, stderr);
        Assert.Equal("hello from other.example.test", stdout);
        JsonElement e = await SingleEventAsync("other.example.test");
        AssertWouldBlock(e, "forward", "default", "no-match", 200);
    }

    [Fact]
    public async Task Connect_ToAHostADenyRuleNames_IsRelayed_AndTheEventNamesTheDenyRule()
    {
        var (exit, stdout, stderr) = await Curl.RunAsync("-k", "-x", _gateway.ProxyUrl, $"https://denied.example.test:{_upstream.HttpsPort}/");

        Assert.True(exit == 0, stderr);
        Assert.Equal("hello from denied.example.test", stdout);
        JsonElement e = await SingleEventAsync("denied.example.test");
        Assert.StartsWith("local:", e.GetProperty("ruleId").GetString(), StringComparison.Ordinal);
        AssertWouldBlock(e, "forward", "local", e.GetProperty("ruleId").GetString()!, 200);
    }

    [Fact]
    public async Task AbsoluteForm_ToADeniedHost_IsForwarded_AndAuditedAsWouldBlock()
    {
        var (exit, stdout, stderr) = await Curl.RunAsync("-x", _gateway.ProxyUrl, $"http://denied.example.test:{_upstream.HttpPort}/");

        Assert.True(exit == 0, stderr);
        Assert.Equal("hello from denied.example.test", stdout);
        JsonElement e = await SingleEventAsync("denied.example.test");
        AssertWouldBlock(e, "forward", "local", e.GetProperty("ruleId").GetString()!, 200);
    }

    [Fact]
    public async Task TransparentTls_ADeniedSni_IsRelayed_AndAuditedAsWouldBlock()
    {
        int port = _gateway.PortOf(ListenerKind.TransparentTls)!.Value;

        var (exit, stdout, stderr) = await Curl.RunAsync("-k", "--resolve", $"other.example.test:{port}:127.0.0.1", $"https://other.example.test:{port}/");

        Assert.True(exit == 0, stderr);
        Assert.Equal("hello from other.example.test", stdout);
        AssertWouldBlock(await SingleEventAsync("other.example.test"), "transparent", "default", "no-match", 200);
    }

    [Fact]
    public async Task TransparentHttp_ADeniedHost_IsForwarded_AndAuditedAsWouldBlock()
    {
        int port = _gateway.PortOf(ListenerKind.TransparentHttp)!.Value;

        var (exit, stdout, stderr) = await Curl.RunAsync("--resolve", $"other.example.test:{port}:127.0.0.1", $"http://other.example.test:{port}/");

        Assert.True(exit == 0, stderr);
        Assert.Equal("hello from other.example.test", stdout);
        AssertWouldBlock(await SingleEventAsync("other.example.test"), "transparent", "default", "no-match", 200);
    }

    [Fact]
    public async Task Dns_ADeniedName_IsAnswered_AndAuditedAsWouldBlock()
    {
        int port = _gateway.Services.GetRequiredService<DnsServer>().EndPoint!.Port;
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.SendToAsync(DnsTestMessages.Query("denied.example.test", id: 21), SocketFlags.None, new IPEndPoint(IPAddress.Loopback, port), cancel.Token);
        byte[] buffer = new byte[4096];
        int received = await client.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
        DecodedResponse answer = DnsTestMessages.Decode(buffer.AsSpan(0, received));

        Assert.Equal((21, 0, 1), (answer.Id, answer.Rcode, answer.Answers));
        Assert.Equal(IPAddress.Loopback.GetAddressBytes(), answer.Records[0].Data);
        JsonElement e = await SingleEventAsync("denied.example.test");
        AssertWouldBlock(e, "dns", "local", e.GetProperty("ruleId").GetString()!, 0);
    }

    [Fact]
    public async Task AnAllowedHost_IsNotMarked()
    {
        var (exit, _, stderr) = await Curl.RunAsync("-k", "-x", _gateway.ProxyUrl, $"https://api.example.test:{_upstream.HttpsPort}/");

        Assert.True(exit == 0, stderr);
        JsonElement e = await SingleEventAsync("api.example.test");
        Assert.Equal(("allowed", false, "local"), (e.GetProperty("decision").GetString(), e.GetProperty("wouldBlock").GetBoolean(), e.GetProperty("rule").GetString()));
    }

    [Fact]
    public async Task TheEgressGuard_StillRefuses_ADeniedHostThatResolvesToMetadata()
    {
        using RawClient raw = await RawClient.ConnectAsync(_gateway.Port);
        await raw.SendAsync("CONNECT metadata.example.test:80 HTTP/1.1\r\n\r\n");
        (int status, _, string body) = await raw.ReadResponseAsync();

        Assert.Equal(403, status);
        Assert.Contains("egress-guard", body, StringComparison.Ordinal);
        JsonElement e = await SingleEventAsync("metadata.example.test");
        Assert.Equal(("blocked", false, "egress-guard", 403),
            (e.GetProperty("decision").GetString(), e.GetProperty("wouldBlock").GetBoolean(), e.GetProperty("ruleId").GetString(), e.GetProperty("status").GetInt32()));
    }

    [Fact]
    public async Task TheGatewaysOwnListener_IsStillRefused_AsALoop()
    {
        using RawClient raw = await RawClient.ConnectAsync(_gateway.Port);
        await raw.SendAsync($"CONNECT 127.0.0.1:{_gateway.Port} HTTP/1.1\r\n\r\n");
        (int status, _, _) = await raw.ReadResponseAsync();

        Assert.Equal(403, status);
        JsonElement e = await SingleEventAsync("127.0.0.1");
        Assert.Equal(("blocked", false, "egress-guard"), (e.GetProperty("decision").GetString(), e.GetProperty("wouldBlock").GetBoolean(), e.GetProperty("ruleId").GetString()));
    }

    [Theory]
    [InlineData("CONNECT api..example.test:443 HTTP/1.1\r\n\r\n")]
    [InlineData("CONNECT 2130706433:443 HTTP/1.1\r\n\r\n")] // 127.0.0.1 in decimal: IP literals are parsed strictly
    [InlineData("GET http://api..example.test:{0}/ HTTP/1.1\r\nHost: api..example.test:{0}\r\n\r\n")]
    [InlineData("GET http://2130706433:{0}/ HTTP/1.1\r\nHost: 2130706433:{0}\r\n\r\n")]
    [InlineData("GET http://denied.example.test:{0}/ HTTP/1.1\r\nHost: other.example.test:{0}\r\n\r\n")] // the Host must name the decided authority
    public async Task AnInvalidOrMismatchedHost_IsStill400(string request)
    {
        using RawClient raw = await RawClient.ConnectAsync(_gateway.Port);
        await raw.SendAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, request, _upstream.HttpPort));
        (int status, _, _) = await raw.ReadResponseAsync();

        Assert.Equal(400, status);
    }

    [Fact]
    public async Task AnInvalidSni_IsStillRefused()
    {
        int port = _gateway.PortOf(ListenerKind.TransparentTls)!.Value;

        // An IP literal is no SNI (RFC 6066 §3): nothing to dial by name, report mode or not.
        var (exit, _, _) = await Curl.RunAsync("-k", "--connect-to", $"127.0.0.2:{port}:127.0.0.1:{port}", $"https://127.0.0.2:{port}/");

        Assert.NotEqual(0, exit);
    }

    [Fact]
    public async Task Metrics_CountTheDenialAsAllowed_AndAsWouldBlock()
    {
        var (exit, _, stderr) = await Curl.RunAsync("-k", "-x", _gateway.ProxyUrl, $"https://other.example.test:{_upstream.HttpsPort}/");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Scrape scrape = Scrape.Parse(await http.GetStringAsync(_gateway.MetricsUrl + "/metrics"));

        Assert.True(exit == 0, stderr);
        Assert.Equal(1, scrape.Value("gateway_decisions_total", ("decision", "allowed"), ("proxy", "forward")));
        Assert.Equal(0, scrape.Value("gateway_decisions_total", ("decision", "blocked"), ("proxy", "forward")));
        Assert.Equal(1, scrape.Value("gateway_would_block_total", ("proxy", "forward")));
    }

    [Fact]
    public void StartUp_WarnsThatDenialsAreNotEnforced()
    {
        Assert.Contains("policy.mode is report: denials are NOT enforced", _logs.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyLog_ShowsTheLetThroughDenialsApart()
    {
        var (exit, _, stderr) = await Curl.RunAsync("-k", "-x", _gateway.ProxyUrl, $"https://other.example.test:{_upstream.HttpsPort}/");
        await _gateway.StopAsync(); // the CLI then reads the audit file the daemon flushed

        (int code, string output) = _gateway.Cli("policy", "log");

        Assert.True(exit == 0, stderr);
        Assert.Equal(0, code);
        string[] sections = output.Split("\n\n");
        Assert.StartsWith("Would be blocked (policy.mode: report, let through):", sections[1], StringComparison.Ordinal);
        Assert.Contains("other.example.test", sections[1], StringComparison.Ordinal);
        Assert.DoesNotContain("other.example.test", sections[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnforceMode_StillRefusesTheSameHost_WithoutWouldBlock()
    {
        (GatewayUnderTest enforcing, CapturedLogs logs) = await StartAsync(_upstream, PolicyMode.Enforce);
        await using (enforcing)
        {
            using (logs)
            {
                var (exit, stdout, _) = await Curl.RunAsync("-k", "-x", enforcing.ProxyUrl, $"https://other.example.test:{_upstream.HttpsPort}/");
                await enforcing.StopAsync();

                Assert.NotEqual(0, exit);
                Assert.Equal(string.Empty, stdout);
                Assert.DoesNotContain("policy.mode is report", logs.ToString(), StringComparison.Ordinal);
                JsonElement e = Events(enforcing).Single(e => e.GetProperty("host").GetString() == "other.example.test");
                Assert.Equal(("blocked", false, 403), (e.GetProperty("decision").GetString(), e.GetProperty("wouldBlock").GetBoolean(), e.GetProperty("status").GetInt32()));
            }
        }
    }

    [Fact]
    public async Task ProxyAuthentication_IsStillRequired()
    {
        (GatewayUnderTest gateway, CapturedLogs logs) = await StartAsync(
            _upstream, PolicyMode.Report, ImmutableArray.Create(new SandboxConfig("dev", [IPAddress.Loopback], [], "dev-token")));
        await using (gateway)
        {
            using (logs)
            {
                using RawClient raw = await RawClient.ConnectAsync(gateway.Port);
                await raw.SendAsync($"CONNECT other.example.test:{_upstream.HttpsPort} HTTP/1.1\r\n\r\n");
                (int status, _, _) = await raw.ReadResponseAsync();

                Assert.Equal(407, status);
            }
        }
    }

    private static void AssertWouldBlock(JsonElement e, string proxy, string rule, string ruleId, int status) =>
        Assert.Equal(
            ("allowed", true, proxy, rule, ruleId, status),
            (e.GetProperty("decision").GetString(), e.GetProperty("wouldBlock").GetBoolean(), e.GetProperty("proxy").GetString(),
             e.GetProperty("rule").GetString(), e.GetProperty("ruleId").GetString(), e.GetProperty("status").GetInt32()));

    private async Task<JsonElement> SingleEventAsync(string host)
    {
        await _gateway.StopAsync(); // flushes the audit log
        List<JsonElement> events = Events(_gateway);
        return Assert.Single(events, e => e.GetProperty("host").GetString() == host);
    }

    private static List<JsonElement> Events(GatewayUnderTest gateway) =>
        [.. File.ReadAllLines(Path.Combine(gateway.StateDir, "audit.jsonl")).Select(line => JsonDocument.Parse(line).RootElement)];

    private static async Task<(GatewayUnderTest Gateway, CapturedLogs Logs)> StartAsync(
        TestUpstream upstream, PolicyMode mode, ImmutableArray<SandboxConfig>? sandboxes = null)
    {
        var logs = new CapturedLogs();
        GatewayUnderTest gateway = await GatewayUnderTest.StartAsync(
            [["policy", "set-default", "deny-all"], ["policy", "allow", "network", "api.example.test"], ["policy", "deny", "network", "denied.example.test"]],
            config => config with
            {
                Policy = config.Policy with { Mode = mode },
                Listen = config.Listen with
                {
                    TransparentTls = new IPEndPoint(IPAddress.Loopback, 0),
                    TransparentHttp = new IPEndPoint(IPAddress.Loopback, 0),
                    Dns = new IPEndPoint(IPAddress.Loopback, 0),
                },

                // Not redirected by nftables here, so no original destination: the configured ports are dialled.
                Transparent = config.Transparent with { DialTlsPort = upstream.HttpsPort, DialHttpPort = upstream.HttpPort },
                Resolve = new ResolveConfig(GatewayUnderTest.TestHosts.Append(new("denied.example.test", IPAddress.Loopback)).ToFrozenDictionary()),
                Sandboxes = sandboxes ?? config.Sandboxes,
            },
            logging: l => l.SetMinimumLevel(LogLevel.Information).AddProvider(logs));
        return (gateway, logs);
    }
}
