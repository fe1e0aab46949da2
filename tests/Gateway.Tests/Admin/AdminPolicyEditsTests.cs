using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Tests.Cli;
using Gateway.Tests.Listeners;
using Gateway.Tests.Dialing;

namespace Gateway.Tests.Admin;

/// <summary>
/// Issue 20 point 6: rule edits through the running daemon's admin API, JSON in and out, live for
/// the very next CONNECT (sent raw on loopback), scoped to a sandbox vmm registered, and refused
/// with the CLI's own messages.
/// </summary>
public sealed class AdminPolicyEditsTests : IAsyncLifetime
{
    private TestUpstream _upstream = null!;
    private GatewayUnderTest _gateway = null!;
    private HttpClient _admin = null!;

    private string Target => "api.example.test:" + _upstream.HttpPort;

    public async Task InitializeAsync()
    {
        _upstream = await TestUpstream.StartAsync();
        _gateway = await GatewayUnderTest.StartAsync([["policy", "set-default", "deny-all"]]);
        _admin = AdminHttp.Create(_gateway.StateDir);
        using HttpResponseMessage vm = await AdminHttp.RegisterAsync(_gateway.StateDir, new { name = "vm1", addresses = new[] { "127.0.0.2" } });
        Assert.Equal(HttpStatusCode.Created, vm.StatusCode);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task AddedRule_DecidesTheNextConnect_WithNoReloadCall()
    {
        Assert.Equal(403, (await Socks5EndToEndTests.ConnectAsync(_gateway, Target)).Status);

        using HttpResponseMessage response = await _admin.PostAsJsonAsync("/policy/rules", new { decision = "allow", resources = "api.example.test" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(200, (await Socks5EndToEndTests.ConnectAsync(_gateway, Target)).Status);
        using JsonDocument answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        JsonElement added = answer.RootElement.GetProperty("added");
        Assert.Equal(["api.example.test"], added.GetProperty("resources").EnumerateArray().Select(r => r.GetString()));
        string rules = await _admin.GetStringAsync("/policy/rules");
        Assert.Contains("\"id\": \"local:" + added.GetProperty("id").GetString() + "\"", rules, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RuleScopedToARegisteredSandbox_OpensTheHostForThatSandboxOnly()
    {
        using HttpResponseMessage response = await _admin.PostAsJsonAsync(
            "/policy/rules", new { decision = "allow", resources = "api.example.test", sandbox = "vm1", @for = "1h" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(200, (await Socks5EndToEndTests.ConnectAsync(_gateway, Target, IPAddress.Parse("127.0.0.2"))).Status);
        Assert.Equal(403, (await Socks5EndToEndTests.ConnectAsync(_gateway, Target)).Status);
        using JsonDocument answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("vm1", answer.RootElement.GetProperty("added").GetProperty("sandbox").GetString());
        Assert.InRange(answer.RootElement.GetProperty("added").GetProperty("expiresAt").GetDateTimeOffset() - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(50), TimeSpan.FromMinutes(61));
    }

    [Fact]
    public async Task BadPattern_Is400_WithTheMessagesTheCliPrintsWithoutADaemon()
    {
        string offlineDir = Directory.CreateTempSubdirectory("gw-edit-offline-").FullName;
        try
        {
            (int exit, _, string stderr) = CliRun.Run(offlineDir, "policy", "allow", "network", "*.*.example.com,*.com");

            using HttpResponseMessage response = await _admin.PostAsJsonAsync("/policy/rules", new { decision = "allow", resources = "*.*.example.com,*.com" });

            Assert.Equal(1, exit);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            string[] errors = [.. (await Errors(response)).Select(e => "gateway: " + e)];
            Assert.Equal(2, errors.Length);
            Assert.Equal(errors, stderr.TrimEnd('\n').Split('\n'));
            Assert.Contains("\"*.*.example.com\"", errors[0], StringComparison.Ordinal);
            Assert.Contains("use \"*.example.com\"", errors[0], StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(offlineDir, recursive: true);
        }
    }

    [Fact]
    public async Task UnknownSandbox_Is400_NamingTheSandboxesTheDaemonKnows()
    {
        using HttpResponseMessage response = await _admin.PostAsJsonAsync("/policy/rules", new { decision = "allow", resources = "api.example.test", sandbox = "vm2" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["unknown sandbox \"vm2\"; known sandboxes: host, vm1 (see `gateway sandbox ls`)"], await Errors(response));
        Assert.Equal(403, (await Socks5EndToEndTests.ConnectAsync(_gateway, Target, IPAddress.Parse("127.0.0.2"))).Status);
    }

    [Fact]
    public async Task RemoveSetDefaultAndReset_AreLiveAtOnce_AndSayWhatTheyDid()
    {
        using (await _admin.PostAsJsonAsync("/policy/rules", new { decision = "allow", resources = "api.example.test" }))
        {
        }

        using HttpResponseMessage removed = await _admin.PostAsJsonAsync("/policy/rules/remove", new { resource = "api.example.test" });
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.Equal(403, (await Socks5EndToEndTests.ConnectAsync(_gateway, Target)).Status);

        using HttpResponseMessage chosen = await _admin.PutAsJsonAsync("/policy/default", new { @default = "allow-all" });
        Assert.Equal(HttpStatusCode.OK, chosen.StatusCode);
        Assert.Equal(200, (await Socks5EndToEndTests.ConnectAsync(_gateway, Target)).Status);

        using HttpResponseMessage reset = await _admin.PostAsync("/policy/reset", content: null);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Equal("allow-all", JsonDocument.Parse(await reset.Content.ReadAsStringAsync()).RootElement.GetProperty("previousDefault").GetString());
        Assert.Equal(403, (await Socks5EndToEndTests.ConnectAsync(_gateway, Target)).Status); // balanced, the initial default, does not allow it
        Assert.False(File.Exists(Path.Combine(_gateway.StateDir, "policy.json")));
    }

    [Fact]
    public async Task Refusals_AreJsonWithAStatusPerKind()
    {
        using HttpResponseMessage unknownId = await _admin.PostAsJsonAsync("/policy/rules/remove", new { id = "local:0f0e0d0c-0000-4000-8000-000000000000" });
        using HttpResponseMessage both = await _admin.PostAsJsonAsync("/policy/rules/remove", new { id = "x", resource = "api.example.test" });
        using HttpResponseMessage badDefault = await _admin.PutAsJsonAsync("/policy/default", new { @default = "open" });
        using HttpResponseMessage badFor = await _admin.PostAsJsonAsync("/policy/rules", new { decision = "deny", resources = "api.example.test", @for = "soon" });
        using HttpResponseMessage notJson = await _admin.PostAsync("/policy/rules", new StringContent("{\"decision\": ", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NotFound, unknownId.StatusCode);
        Assert.Equal(["no local rule has id 0f0e0d0c-0000-4000-8000-000000000000; see `gateway policy ls` (a rule added with --for is gone once it expires)"], await Errors(unknownId));
        Assert.Equal(["give exactly one of --resource PATTERN or --id UUID"], await Errors(both));
        Assert.Equal(["\"open\" is not a default policy; use one of allow-all, balanced, deny-all"], await Errors(badDefault));
        Assert.Equal(["--for \"soon\" is not a duration of at least 1s; use e.g. 90s, 30m, 2h, 1h30m"], await Errors(badFor));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.StartsWith("the body is not a RuleAddRequest", Assert.Single(await Errors(notJson)), StringComparison.Ordinal);
        Assert.DoesNotContain("api.example.test", await _admin.GetStringAsync("/policy/rules"), StringComparison.Ordinal);
    }

    private static async Task<string[]> Errors(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. body.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!)];
    }
}
