namespace Vmm.Tests.Microvm;

/// <summary>
/// Issue 9 item 7 for microVMs: from inside a real microVM made by the real vmm, against a real
/// gateway, an allowed name works through the transparent path (the guest's DNS and TCP 443 both
/// redirected by vmm's nftables chains on its tap) and a blocked name fails at DNS and at TLS.
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
