using System.Text.Json;
using Gateway.Audit;
using Gateway.Cli;
using Gateway.Cli.Policy;
using Gateway.Configuration;

namespace Gateway.Tests.Audit;

public sealed class PolicyLogCommandTests : IDisposable
{
    private readonly string _stateDir = AuditTestEvents.TempDir();

    private string AuditFile => Path.Combine(_stateDir, "audit.jsonl");

    public void Dispose() => Directory.Delete(_stateDir, recursive: true);

    [Fact]
    public void Text_IsBlockedTableThenAllowedTable_MostRecentFirst()
    {
        PrepareLog();

        (int exit, string output, _) = Run("policy", "log");

        Assert.Equal(0, exit);
        Assert.Equal(
            """
            Blocked requests:
            SANDBOX      TYPE      HOST                   PROXY            RULE      LAST SEEN         COUNT
            my-sandbox   network   blocked.example.test   transparentTls   default   10:15:25 29-Jan   1

            Allowed requests:
            SANDBOX      TYPE      HOST                    PROXY     RULE    LAST SEEN         COUNT
            my-sandbox   network   api.example.test        forward   local   10:15:23 29-Jan   42
            other        network   registry.example.test   forward   kit:x   10:15:20 29-Jan   18

            """.ReplaceLineEndings(),
            output);
    }

    [Fact]
    public void Sandbox_Limit_AndType_Filter()
    {
        PrepareLog();

        (_, string mine, _) = Run("policy", "log", "my-sandbox");
        (_, string limited, _) = Run("policy", "log", "--limit", "1", "--type", "network");

        Assert.DoesNotContain("registry.example.test", mine, StringComparison.Ordinal);
        Assert.Contains("api.example.test", mine, StringComparison.Ordinal);
        Assert.Contains("api.example.test", limited, StringComparison.Ordinal);
        Assert.Contains("blocked.example.test", limited, StringComparison.Ordinal);
        Assert.DoesNotContain("registry.example.test", limited, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_IsOneArrayOfRows_BlockedFirst()
    {
        PrepareLog();

        (int exit, string output, _) = Run("policy", "log", "--json");

        Assert.Equal(0, exit);
        using JsonDocument json = JsonDocument.Parse(output);
        JsonElement[] rows = [.. json.RootElement.EnumerateArray()];
        Assert.Equal(["blocked.example.test", "api.example.test", "registry.example.test"], rows.Select(r => r.GetProperty("host").GetString()));
        JsonElement api = rows[1];
        Assert.Equal(
            ["sandbox", "type", "host", "port", "proxy", "rule", "ruleId", "decision", "firstSeen", "lastSeen", "count", "listener"],
            api.EnumerateObject().Select(p => p.Name));
        Assert.Equal("my-sandbox", api.GetProperty("sandbox").GetString());
        Assert.Equal("network", api.GetProperty("type").GetString());
        Assert.Equal(443, api.GetProperty("port").GetInt32());
        Assert.Equal("forward", api.GetProperty("proxy").GetString());
        Assert.Equal("local", api.GetProperty("rule").GetString());
        Assert.Equal("local:0b6c3c1e-0000-4000-8000-000000000001", api.GetProperty("ruleId").GetString());
        Assert.Equal("allowed", api.GetProperty("decision").GetString());
        Assert.Equal(AuditTestEvents.Start.AddSeconds(-18), api.GetProperty("firstSeen").GetDateTimeOffset());
        Assert.Equal(AuditTestEvents.Start.AddSeconds(23), api.GetProperty("lastSeen").GetDateTimeOffset());
        Assert.Equal(42, api.GetProperty("count").GetInt64());
        Assert.False(rows[2].TryGetProperty("port", out _)); // two ports in that row
    }

    [Fact]
    public void NoAuditFile_PrintsEmptyTables()
    {
        (int exit, string output, _) = Run("policy", "log");

        Assert.Equal(0, exit);
        Assert.Equal(
            "Blocked requests:\nSANDBOX   TYPE   HOST   PROXY   RULE   LAST SEEN   COUNT\n\nAllowed requests:\nSANDBOX   TYPE   HOST   PROXY   RULE   LAST SEEN   COUNT\n".ReplaceLineEndings(),
            output);
    }

    [Theory]
    [InlineData("--limit", "0")]
    [InlineData("--type", "dns")]
    public void BadOption_IsAUsageError(string option, string value)
    {
        (int exit, _, string error) = Run("policy", "log", option, value);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.StartsWith("gateway: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Follow_OnTheFile_SeesAnAppendedEventWithinASecond()
    {
        AuditTestEvents.AppendLines(AuditFile, AuditTestEvents.Event(host: "old.example.test"));
        var output = new LineCapture();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Task<int> follow = Task.Run(() => GatewayCli.Run(["--state-dir", _stateDir, "policy", "log", "--follow"], Context(output, output, stop.Token)));

        // Follow shows what is appended after it starts; until it has opened the file, appended events may go unseen.
        int attempt = 0;
        while (!await output.WaitForAsync($"warmup{attempt - 1}.example.test", TimeSpan.FromSeconds(1)) && attempt < 30)
        {
            AuditTestEvents.AppendLines(AuditFile, AuditTestEvents.Event(host: $"warmup{attempt++}.example.test"));
        }

        AuditTestEvents.AppendLines(AuditFile, AuditTestEvents.Event(host: "new.example.test"));
        AuditTestEvents.AppendLines(AuditFile, AuditTestEvents.Event(host: "denied.example.test", decision: AuditEvent.Blocked, rule: "default"));

        Assert.True(await output.WaitForAsync("denied.example.test", TimeSpan.FromSeconds(10)), output.ToString()); // bounded wait, not a latency assertion (CI is shared)
        await stop.CancelAsync();
        Assert.Equal(0, await follow.WaitAsync(TimeSpan.FromSeconds(30)));
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.DoesNotContain(lines, l => l.Contains("old.example.test", StringComparison.Ordinal));
        Assert.Equal(
            [
                "2025-01-29T10:15:00Z   dev   ALLOWED   new.example.test:443   forward   -   200   rule local:0b6c3c1e-0000-4000-8000-000000000001 (local)",
                "2025-01-29T10:15:00Z   dev   BLOCKED   denied.example.test:443   forward   -   403   rule default (default)",
            ],
            lines[^2..]);
    }

    [Fact]
    public void ReportModeDenials_AreATableOfTheirOwn_BetweenBlockedAndAllowed_AndMarkedInJson()
    {
        PrepareLog();
        AuditTestEvents.AppendLines(AuditFile,
            AuditTestEvents.Event(host: "ads.example.test", sandbox: "my-sandbox", rule: "default", seconds: 24) with { RuleId = "no-match", WouldBlock = true },
            AuditTestEvents.Event(host: "api.example.test", sandbox: "my-sandbox", rule: "default", seconds: 30) with { RuleId = "no-match", WouldBlock = true });

        (_, string text, _) = Run("policy", "log");
        (_, string json, _) = Run("policy", "log", "--json");

        string[] sections = text.ReplaceLineEndings("\n").Split("\n\n");
        Assert.Equal(
            "Would be blocked (policy.mode: report, let through):\n"
            + "SANDBOX      TYPE      HOST               PROXY     RULE      LAST SEEN         COUNT\n"
            + "my-sandbox   network   api.example.test   forward   default   10:15:30 29-Jan   1\n"
            + "my-sandbox   network   ads.example.test   forward   default   10:15:24 29-Jan   1",
            sections[1]);
        Assert.StartsWith("Allowed requests:", sections[2], StringComparison.Ordinal);
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement[] rows = [.. document.RootElement.EnumerateArray()];
        Assert.Equal(["blocked.example.test", "api.example.test", "ads.example.test", "api.example.test", "registry.example.test"], rows.Select(r => r.GetProperty("host").GetString()));
        Assert.Equal([false, true, true, false, false], rows.Select(r => r.TryGetProperty("wouldBlock", out JsonElement w) && w.GetBoolean()));
        Assert.Equal(("allowed", "no-match"), (rows[1].GetProperty("decision").GetString(), rows[1].GetProperty("ruleId").GetString()));
    }

    [Fact]
    public void FollowLine_OfAReportModeDenial_SaysAllowed_AndWhichRuleWouldBlock()
    {
        AuditEvent e = AuditTestEvents.Event(host: "ads.example.test", rule: "default") with { RuleId = "no-match", WouldBlock = true };

        Assert.Equal("2025-01-29T10:15:00Z   dev   ALLOWED   ads.example.test:443   forward   -   200   rule no-match (default)   wouldBlock", PolicyLogCommand.FormatLive(in e));
        Assert.Equal("2025-01-29T10:15:00Z   dev   ALLOWED   ads.example.test:443   forward   -   200   rule no-match (default)", PolicyLogCommand.FormatLive(e with { WouldBlock = false }));
    }

    // Issue 20 point 5: every field an operator needs, per listener; the query string never shows.
    public static TheoryData<string, int, string?, string?, string> FollowLines => new()
    {
        { AuditEvent.TransparentProxy, 443, "GET", "/v1/models", "transparentTls   GET /v1/models   200" },
        { AuditEvent.TransparentProxy, 443, null, null, "transparentTls   -   200" },
        { AuditEvent.TransparentProxy, 80, "POST", "/upload", "transparentHttp   POST /upload   200" },
        { AuditEvent.ForwardProxy, 8443, null, null, "forward   -   200" },
        { AuditEvent.DnsProxy, 443, null, null, "dns   -   200" },
    };

    [Theory]
    [MemberData(nameof(FollowLines))]
    public void FollowLine_NamesTheListener_AndMethodAndPathOfInterceptedRequests(string proxy, int port, string? method, string? path, string expected)
    {
        AuditEvent e = AuditTestEvents.Event(host: "api.example.test", port: port, proxy: proxy) with { Method = method, Path = path, Injected = "openai" };

        string line = PolicyLogCommand.FormatLive(in e);
        string json = PolicyLogCommand.FormatLiveJson(in e);

        Assert.Contains($"   api.example.test:{port}   {expected}   rule local:", line, StringComparison.Ordinal);
        Assert.EndsWith("   injected openai", line, StringComparison.Ordinal);
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement root = document.RootElement;
        Assert.Equal(expected.Split("   ")[0], root.GetProperty("listener").GetString());
        Assert.Equal(method, root.TryGetProperty("method", out JsonElement m) ? m.GetString() : null);
        Assert.Equal(path, root.TryGetProperty("path", out JsonElement p) ? p.GetString() : null);
        Assert.Equal(("dev", "allowed", 200, "openai"), (root.GetProperty("sandbox").GetString(), root.GetProperty("decision").GetString(), root.GetProperty("status").GetInt32(), root.GetProperty("injected").GetString()));
    }

    [Fact]
    public void Table_ShowsTransparentTlsAndHttpRowsApart()
    {
        AuditTestEvents.AppendLines(AuditFile,
            AuditTestEvents.Event(host: "api.example.test", proxy: AuditEvent.TransparentProxy, port: 443),
            AuditTestEvents.Event(host: "api.example.test", proxy: AuditEvent.TransparentProxy, port: 80, seconds: 1));

        (_, string text, _) = Run("policy", "log");
        (_, string json, _) = Run("policy", "log", "--json");

        Assert.Contains(text.Split('\n'), l => l.StartsWith("dev ", StringComparison.Ordinal) && l.Contains("   transparentTls   ", StringComparison.Ordinal));
        Assert.Contains(text.Split('\n'), l => l.StartsWith("dev ", StringComparison.Ordinal) && l.Contains("   transparentHttp   ", StringComparison.Ordinal));
        using JsonDocument document = JsonDocument.Parse(json);
        Assert.Equal(["transparentHttp", "transparentTls"], document.RootElement.EnumerateArray().Select(r => r.GetProperty("listener").GetString()).Order(StringComparer.Ordinal));
    }

    // Rows like the reference's `sbx policy log` example.
    private void PrepareLog()
    {
        var events = new List<AuditEvent>
        {
            AuditTestEvents.Event(host: "blocked.example.test", sandbox: "my-sandbox", decision: AuditEvent.Blocked, proxy: AuditEvent.TransparentProxy, rule: "default", seconds: 25),
            AuditTestEvents.Event(host: "registry.example.test", sandbox: "other", rule: "kit:x", seconds: 19, port: 80),
        };
        for (int i = 0; i < 42; i++)
        {
            events.Add(AuditTestEvents.Event(host: "api.example.test", sandbox: "my-sandbox", seconds: 23 - i));
        }

        for (int i = 0; i < 17; i++)
        {
            events.Add(AuditTestEvents.Event(host: "registry.example.test", sandbox: "other", rule: "kit:x", seconds: 20 - i));
        }

        AuditTestEvents.AppendLines(AuditFile, [.. events]);
    }

    private (int Exit, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = GatewayCli.Run(["--state-dir", _stateDir, .. args], Context(output, error, CancellationToken.None));
        return (exit, output.ToString(), error.ToString());
    }

    private static CliContext Context(TextWriter output, TextWriter error, CancellationToken cancellation) => new()
    {
        Out = output,
        Error = error,
        In = TextReader.Null,
        InteractiveInput = false,
        Environment = ConfigLoader.NoEnvironment,
        Time = new UtcZoneTimeProvider(),
        Cancellation = cancellation,
    };
}
