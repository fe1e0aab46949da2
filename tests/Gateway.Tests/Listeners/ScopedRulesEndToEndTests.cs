using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Gateway.Tests.Listeners;

/// <summary>
/// Issue 20 points 1, 2 and 6: rules scoped to one sandbox (a vmm-registered one, through the admin
/// API) and rules that expire, set with the CLI against a running gateway and checked with curl.
/// </summary>
public sealed class ScopedRulesEndToEndTests : IAsyncLifetime
{
    private TestUpstream _upstream = null!;
    private GatewayUnderTest _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await TestUpstream.StartAsync();
        _gateway = await GatewayUnderTest.StartAsync([["policy", "set-default", "deny-all"]]);
        using HttpResponseMessage vm = await AdminHttp.RegisterAsync(_gateway.StateDir, new { name = "vm1", addresses = new[] { "127.0.0.2" } });
        using HttpResponseMessage other = await AdminHttp.RegisterAsync(_gateway.StateDir, new { name = "other", addresses = new[] { "127.0.0.3" } });
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (vm.StatusCode, other.StatusCode));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task AllowScopedToARegisteredSandbox_OpensTheHostForItAlone_AndAGlobalDenyStillWins()
    {
        (int exit, string added) = _gateway.Cli("policy", "allow", "network", "api.example.test", "--sandbox", "vm1");
        Assert.True(exit == 0, added);
        Assert.Contains("for sandbox vm1", added, StringComparison.Ordinal);

        Assert.Equal("200", await StatusFromAsync("127.0.0.2", "api.example.test"));
        Assert.Equal("403", await StatusFromAsync("127.0.0.3", "api.example.test"));
        Assert.Equal("403", await StatusFromAsync("127.0.0.1", "api.example.test"));

        (_, string explained) = _gateway.Cli("policy", "explain", "api.example.test", "--sandbox", "vm1");
        Assert.Contains(explained.Split('\n'), l => l.StartsWith("rule:      local:", StringComparison.Ordinal) && l.EndsWith("(source: local, scope: sandbox:vm1)", StringComparison.Ordinal));

        (exit, string denied) = _gateway.Cli("policy", "deny", "network", "api.example.test");
        Assert.True(exit == 0, denied);
        Assert.Equal("403", await StatusFromAsync("127.0.0.2", "api.example.test"));
    }

    [Fact]
    public void Ls_ShowsTheScopeAndExpiry_InTheTableAndInJson()
    {
        Assert.Equal(0, _gateway.Cli("policy", "allow", "network", "api.example.test", "--sandbox", "vm1", "--for", "2h").Exit);
        Assert.Equal(0, _gateway.Cli("policy", "deny", "network", "other.example.test").Exit);

        (int exit, string table) = _gateway.Cli("policy", "ls");
        (int jsonExit, string json) = _gateway.Cli("policy", "ls", "--json");

        Assert.Equal((0, 0), (exit, jsonExit));
        string[] lines = table.Split('\n');
        Assert.Equal(["ID", "TYPE", "DECISION", "SCOPE", "EXPIRES", "RESOURCES"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        string[] scoped = lines.Single(l => l.EndsWith("api.example.test", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["network", "allow", "sandbox:vm1"], scoped[1..4]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", scoped[4]);
        string[] global = lines.Single(l => l.EndsWith("other.example.test", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["network", "deny", "all", "never"], global[1..5]);

        using var document = JsonDocument.Parse(json);
        JsonElement rule = document.RootElement.EnumerateArray().Single(r => r.GetProperty("resources")[0].GetString() == "api.example.test");
        Assert.Equal("sandbox:vm1", rule.GetProperty("scope").GetString());
        DateTimeOffset expires = rule.GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(100), TimeSpan.FromMinutes(121));
    }

    [Fact]
    public void ScopedRules_AreRemovedWithTheirSandbox_AndATypoIsRefused()
    {
        Assert.Equal(0, _gateway.Cli("policy", "allow", "network", "api.example.test", "--sandbox", "vm1").Exit);

        (int unscopedExit, string unscoped) = _gateway.Cli("policy", "rm", "network", "--resource", "api.example.test");
        (int typoExit, string typo) = _gateway.Cli("policy", "allow", "network", "api.example.test", "--sandbox", "vm2");
        (int exit, string removed) = _gateway.Cli("policy", "rm", "network", "--resource", "api.example.test", "--sandbox", "vm1");

        Assert.Equal(1, unscopedExit);
        Assert.Contains("rules scoped to vm1 do: add --sandbox vm1", unscoped, StringComparison.Ordinal);
        Assert.Equal(1, typoExit);
        Assert.Contains("unknown sandbox \"vm2\"; known sandboxes: host, other, vm1", typo, StringComparison.Ordinal);
        Assert.True(exit == 0, removed);
        Assert.Contains("Removed api.example.test from 1 local rule of sandbox vm1", removed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnExpiringAllow_StopsDecidingAtItsTime_WithoutAReloadCommand()
    {
        (int exit, string added) = _gateway.Cli("policy", "allow", "network", "other.example.test", "--for", "2s");
        Assert.True(exit == 0, added);
        Assert.Contains(" until ", added, StringComparison.Ordinal);
        Assert.Equal("200", await StatusFromAsync("127.0.0.1", "other.example.test"));

        // Bounded wait for the expiry (2 s); nothing is sent to the daemon meanwhile.
        string status = "200";
        long deadline = Stopwatch.GetTimestamp() + (30 * Stopwatch.Frequency);
        while (status == "200" && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(250);
            status = await StatusFromAsync("127.0.0.1", "other.example.test");
        }

        Assert.Equal("403", status);
        (_, string json) = _gateway.Cli("policy", "ls", "--json");
        Assert.DoesNotContain("other.example.test", json, StringComparison.Ordinal);
    }

    private async Task<string> StatusFromAsync(string source, string host)
    {
        (int exit, string stdout, string stderr) = await Curl.RunAsync(
            "-x", _gateway.ProxyUrl, "--interface", source, "-o", "/dev/null", "-w", "%{http_code}", $"http://{host}:{_upstream.HttpPort}/");
        Assert.True(exit == 0, stderr);
        return stdout;
    }
}
