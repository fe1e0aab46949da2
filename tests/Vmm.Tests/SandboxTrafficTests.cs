using System.Text.Json;

namespace Vmm.Tests;

/// <summary>
/// Issue 9 item 7: from inside a real netns sandbox made by the real vmm, against a real gateway —
/// allowed names work through the transparent path and the forward proxy vmm configures, blocked
/// names fail at DNS and at TLS, kits apply per sandbox, and <c>policy log</c> names the sandbox.
/// </summary>
public sealed class SandboxTrafficTests(SandboxHost host) : IClassFixture<SandboxHost>
{
    [RootNetworkFact]
    public async Task AllowedName_OverHttps_GoesThroughTheTransparentListener()
    {
        string name = host.Name("allow");
        JsonElement row = await host.CreateAsync(name);

        ToolResult curl = (await host.CurlAsync(name, $"https://{SandboxHost.AllowedHost}/")).AssertSuccess();

        Assert.Equal("hello from " + SandboxHost.AllowedHost, curl.Stdout);
        Assert.Equal("running", row.GetProperty("status").GetString());
        JsonElement logged = await LoggedAsync(name, SandboxHost.AllowedHost, "transparent");
        Assert.Equal("allowed", logged.GetProperty("decision").GetString());
    }

    [RootNetworkFact]
    public async Task AllowedName_ResolvesToTheGatewaysAddressOnTheSandboxLink()
    {
        string name = host.Name("dns");
        JsonElement row = await host.CreateAsync(name);

        ToolResult dig = (await host.ExecAsync(name, "dig", "+time=3", "+tries=1", "+short", SandboxHost.AllowedHost)).AssertSuccess();

        Assert.Equal(row.GetProperty("gateway").GetString(), dig.Stdout.Trim());
    }

    [RootNetworkFact]
    public async Task BlockedName_IsNxDomainByDns_AndItsTlsConnectionFails()
    {
        string name = host.Name("block");
        JsonElement row = await host.CreateAsync(name);
        string gateway = row.GetProperty("gateway").GetString()!;
        int before = host.Upstream.Connections;

        ToolResult dig = (await host.ExecAsync(name, "dig", "+time=3", "+tries=1", "blocked.example.test")).AssertSuccess();
        ToolResult byName = (await host.CurlAsync(name, "https://blocked.example.test/")).AssertFailed();
        ToolResult pinned = (await host.CurlAsync(name, "https://blocked.example.test/", false, "--resolve", $"blocked.example.test:443:{gateway}")).AssertFailed();

        Assert.Contains("status: NXDOMAIN", dig.Stdout, StringComparison.Ordinal); // dns.blocked's default
        Assert.Contains("Could not resolve host", byName.Stderr, StringComparison.Ordinal);
        Assert.Contains("alert", pinned.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, host.Upstream.Connections);
        JsonElement logged = await LoggedAsync(name, "blocked.example.test", "transparent");
        Assert.Equal("blocked", logged.GetProperty("decision").GetString());
    }

    [RootNetworkFact]
    public async Task ForwardProxy_FromTheEnvironmentVmmSets_IsUsedAndDecided()
    {
        string name = host.Name("proxy");
        await host.CreateAsync(name);

        ToolResult env = (await host.ExecAsync(name, "printenv", "https_proxy")).AssertSuccess();
        ToolResult allowed = (await host.CurlAsync(name, $"https://{SandboxHost.AllowedHost}/", viaProxy: true)).AssertSuccess();
        ToolResult blocked = (await host.CurlAsync(name, "https://blocked.example.test/", viaProxy: true)).AssertFailed();

        Assert.Equal($"http://{(await host.RowAsync(name))!.Value.GetProperty("gateway").GetString()}:{host.ForwardPort}", env.Stdout.Trim());
        Assert.Equal("hello from " + SandboxHost.AllowedHost, allowed.Stdout);
        Assert.Contains("403", blocked.Stderr, StringComparison.Ordinal);
        await LoggedAsync(name, SandboxHost.AllowedHost, "forward");
    }

    [RootNetworkFact]
    public async Task Exec_DoesNotPassTheCallersEnvironment_IntoTheSandbox()
    {
        string name = host.Name("env");
        await host.CreateAsync(name);

        ToolResult secret = await VmmProcess.RunAsync(
            ["--state-dir", host.StateDir, "exec", name, "--", "printenv", "MY_SERVICE_API_KEY"],
            new Dictionary<string, string?> { ["MY_SERVICE_API_KEY"] = "real-secret-value" });
        ToolResult path = (await host.ExecAsync(name, "printenv", "PATH")).AssertSuccess();

        Assert.Equal(1, secret.ExitCode);
        Assert.DoesNotContain("real-secret-value", secret.Stdout + secret.Stderr, StringComparison.Ordinal);
        Assert.Contains("/usr/bin", path.Stdout, StringComparison.Ordinal);
    }

    [RootNetworkFact]
    public async Task ProxyToken_IsInTheSandboxsProxyUrl_AndRequiredByTheForwardProxy()
    {
        string name = host.Name("token");
        JsonElement row = await host.CreateAsync(name, "--token");
        string proxy = $"http://{row.GetProperty("gateway").GetString()}:{host.ForwardPort}";

        ToolResult withToken = (await host.CurlAsync(name, $"https://{SandboxHost.AllowedHost}/", viaProxy: true)).AssertSuccess();
        ToolResult without = (await host.CurlAsync(name, $"https://{SandboxHost.AllowedHost}/", true, "--proxy", proxy)).AssertFailed();
        ToolResult env = (await host.ExecAsync(name, "printenv", "HTTPS_PROXY")).AssertSuccess();

        Assert.True(row.GetProperty("hasToken").GetBoolean());
        Assert.Equal("hello from " + SandboxHost.AllowedHost, withToken.Stdout);
        Assert.Contains("407", without.Stderr, StringComparison.Ordinal);
        Assert.Matches($"^http://{name}:[0-9a-f]{{48}}@", env.Stdout);
    }

    [RootNetworkFact]
    public async Task KitRules_ApplyOnlyToTheSandboxCreatedWithTheKit()
    {
        string withKit = host.Name("kit");
        string without = host.Name("nokit");
        JsonElement row = await host.CreateAsync(withKit, "--kit", host.KitFile);
        await host.CreateAsync(without);

        ToolResult allowed = (await host.CurlAsync(withKit, $"https://{SandboxHost.KitOnlyHost}/")).AssertSuccess();
        ToolResult refused = (await host.ExecAsync(without, "dig", "+time=3", "+tries=1", SandboxHost.KitOnlyHost)).AssertSuccess();
        ToolResult variable = (await host.ExecAsync(withKit, "printenv", "KIT_REGION")).AssertSuccess();

        Assert.Equal("hello from " + SandboxHost.KitOnlyHost, allowed.Stdout);
        Assert.Contains("status: NXDOMAIN", refused.Stdout, StringComparison.Ordinal);
        Assert.Equal("eu", variable.Stdout.Trim());
        Assert.Equal([SandboxHost.KitName], row.GetProperty("kits").EnumerateArray().Select(k => k.GetString()));
    }

    [RootNetworkFact]
    public async Task ProxyManagedVariable_HoldsTheGatewaysPlaceholder()
    {
        string name = host.Name("placeholder");
        await host.CreateAsync(name, "--kit", host.KitFile);

        ToolResult variable = (await host.ExecAsync(name, "printenv", "TEST_API_KEY")).AssertSuccess();

        Assert.StartsWith("gw-placeholder-", variable.Stdout.Trim(), StringComparison.Ordinal);
    }

    // policy log aggregates; the sandbox's row for (host, proxy) must be there under its name.
    private async Task<JsonElement> LoggedAsync(string sandbox, string hostName, string proxy)
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            var log = await host.GatewayAsync("policy", "log", sandbox, "--json");
            Assert.True(log.ExitCode == 0, log.ToString());
            foreach (JsonElement row in log.Json().EnumerateArray())
            {
                if (row.GetProperty("host").GetString() == hostName && row.GetProperty("proxy").GetString() == proxy)
                {
                    Assert.Equal(sandbox, row.GetProperty("sandbox").GetString());
                    return row;
                }
            }

            await Task.Delay(200); // the audit writer is asynchronous
        }

        throw new Xunit.Sdk.XunitException($"policy log {sandbox} has no {proxy} row for {hostName}");
    }
}
