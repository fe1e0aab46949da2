namespace Vmm.Tests.Microvm;

/// <summary>
/// Issue 9 item 7 for microVMs: from inside a real microVM made by the real vmm, against a real
/// gateway, an allowed name works through the transparent path (the guest's DNS and TCP 443 both
/// redirected by vmm's nftables chains on its tap), a blocked name fails at DNS and at TLS, and a
/// host the kit binds its credential to is trusted with no flag (the gateway CA is in the guest's
/// store) and gets the real key injected: the same allowed/blocked/injected trio as a netns sandbox.
/// </summary>
[Collection(MicrovmCollection.Name)]
public sealed class MicrovmTrafficTests(MicrovmSandbox vm) : IClassFixture<MicrovmSandbox>
{
    [MicrovmFact]
    public async Task AllowedName_OverHttps_FromTheVm_GoesThroughTheTransparentListener()
    {
        ToolResult curl = (await vm.CurlAsync($"https://{SandboxHost.AllowedHost}/")).AssertSuccess();

        Assert.Equal("hello from " + SandboxHost.AllowedHost, curl.Stdout);
    }

    [MicrovmFact]
    public async Task BlockedName_FromTheVm_IsRefusedByDns_AndItsTlsConnectionFails()
    {
        int before = vm.Host.Upstream.Connections;

        ToolResult byName = (await vm.CurlAsync("https://blocked.example.test/")).AssertFailed();
        ToolResult pinned = (await vm.CurlAsync("https://blocked.example.test/", false, "--resolve", $"blocked.example.test:443:{vm.Gateway}")).AssertFailed();

        Assert.Contains("Could not resolve host", byName.Stderr, StringComparison.Ordinal);
        Assert.Contains("alert", pinned.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, vm.Host.Upstream.Connections);
    }

    [MicrovmFact]
    public async Task ForwardProxy_FromTheEnvironmentVmmSets_WorksInTheVm()
    {
        ToolResult env = (await vm.Host.ExecAsync(vm.Name, "sh", "-c", "echo \"$https_proxy\"")).AssertSuccess();
        ToolResult allowed = (await vm.CurlAsync($"https://{SandboxHost.AllowedHost}/", viaProxy: true)).AssertSuccess();
        ToolResult blocked = (await vm.CurlAsync("https://blocked.example.test/", viaProxy: true)).AssertFailed();

        Assert.Equal($"http://{vm.Gateway}:{vm.Host.ForwardPort}", env.Stdout.Trim());
        Assert.Equal("hello from " + SandboxHost.AllowedHost, allowed.Stdout);
        Assert.Contains("403", blocked.Stderr, StringComparison.Ordinal);
    }

    [MicrovmFact]
    public async Task InterceptedHost_FromTheVm_IsTrustedWithNoFlag_AndGetsTheKeyInjected()
    {
        string injected = "hello from " + SandboxHost.InjectHost + " key-sha256=" + TlsUpstream.Sha256Prefix(SandboxHost.Secret);
        string[] curl = ["curl", "--silent", "--show-error", "--max-time", "20"];

        ToolResult transparent = (await vm.Host.ExecAsync(vm.Name, [.. curl, "--noproxy", "*", $"https://{SandboxHost.InjectHost}/"])).AssertSuccess();
        ToolResult forward = (await vm.Host.ExecAsync(vm.Name, [.. curl, $"https://{SandboxHost.InjectHost}/"])).AssertSuccess();
        ToolResult store = (await vm.Host.ExecAsync(vm.Name, "cat", "/etc/ssl/certs/ca-certificates.crt")).AssertSuccess();
        ToolResult placeholder = (await vm.Host.ExecAsync(vm.Name, "sh", "-c", "echo \"$TEST_API_KEY\"")).AssertSuccess();

        Assert.Equal(injected, transparent.Stdout);
        Assert.Equal(injected, forward.Stdout);
        Assert.Contains((await File.ReadAllTextAsync(Path.Combine(vm.Host.StateDir, "ca", "egress-gateway-ca.pem"))).Trim(), store.Stdout, StringComparison.Ordinal);
        Assert.StartsWith("gw-placeholder-", placeholder.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(SandboxHost.Secret, transparent.Stdout + forward.Stdout + placeholder.Stdout, StringComparison.Ordinal);
    }

    [MicrovmFact]
    public async Task Ls_ShowsTheVmRunning_AndExecPassesItsExitCode()
    {
        ToolResult exit = await vm.Host.ExecAsync(vm.Name, "sh", "-c", "exit 42");
        System.Text.Json.JsonElement? row = await vm.Host.RowAsync(vm.Name);

        Assert.Equal(42, exit.ExitCode);
        Assert.NotNull(row);
        Assert.Equal("microvm", row.Value.GetProperty("kind").GetString());
        Assert.Equal("running", row.Value.GetProperty("status").GetString());
    }
}
