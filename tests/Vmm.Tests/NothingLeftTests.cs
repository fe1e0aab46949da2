using System.Text.Json;

namespace Vmm.Tests;

/// <summary>
/// After the last <c>vmm rm</c>, nothing of vmm's is left: no nftables table (not even empty maps and
/// hooked base chains), chain, link, address, namespace, CA bundle, claim or process. vmm runs in a
/// network namespace of this test's own, so its nftables table is the test's alone while other
/// classes make sandboxes in parallel; the sandboxes' namespaces nest inside it.
/// </summary>
public sealed class NothingLeftTests(SandboxHost host) : IClassFixture<SandboxHost>, IAsyncLifetime
{
    private readonly string _namespace = host.Name("outer");

    public async Task InitializeAsync()
    {
        if (Environment.IsPrivilegedProcess)
        {
            (await Tool.RunAsync("ip", ["netns", "add", _namespace])).AssertSuccess();
            (await Tool.RunAsync("ip", ["-n", _namespace, "link", "set", "lo", "up"])).AssertSuccess();
        }
    }

    public async Task DisposeAsync()
    {
        if (Environment.IsPrivilegedProcess)
        {
            await VmmAsync("gc");
            await Tool.RunAsync("ip", ["netns", "del", _namespace]);
        }
    }

    [RootNetworkFact]
    public async Task AfterTheLastRm_NoTableChainLinkAddressNamespaceOrProcess_IsLeft()
    {
        string[] names = [host.Name("last1"), host.Name("last2")];
        var interfaces = new List<string>();
        foreach (string name in names)
        {
            (await VmmAsync("create", name)).AssertSuccess();
            interfaces.Add(JsonDocument.Parse((await VmmAsync("ls", "--json")).AssertSuccess().Stdout).RootElement
                .EnumerateArray().Single(r => r.GetProperty("name").GetString() == name).GetProperty("interface").GetString()!);
        }

        // Something running in each, which rm must end.
        string marker = "sleep " + Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Task<ToolResult>[] sleepers = [.. names.Select(name => VmmAsync(["exec", name, "--", .. marker.Split(' ')]))];
        for (int attempt = 0; attempt < 150 && (await Tool.RunAsync("pgrep", ["-x", "-f", marker])).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length < 2; attempt++)
        {
            await Task.Delay(100);
        }

        Assert.Contains("table inet egress_gateway", (await Inside("nft", "list", "tables")).Stdout, StringComparison.Ordinal);
        foreach (string name in names)
        {
            (await VmmAsync("rm", name)).AssertSuccess();
        }

        foreach (Task<ToolResult> sleeper in sleepers)
        {
            await sleeper.WaitAsync(TimeSpan.FromSeconds(60));
        }

        ToolResult gc = (await VmmAsync("gc")).AssertSuccess();
        Assert.Equal("nothing to remove\n", gc.Stdout);
        Assert.Equal(string.Empty, (await Inside("nft", "list", "ruleset")).Stdout);
        Assert.Equal("lo\n", (await Inside("sh", "-c", "ls /sys/class/net")).Stdout);
        Assert.DoesNotContain("10.209.", (await Inside("ip", "-o", "addr", "show")).Stdout, StringComparison.Ordinal);
        Assert.Equal(string.Empty, (await Tool.RunAsync("pgrep", ["-x", "-f", marker])).Stdout);
        foreach (string name in names)
        {
            Assert.False(File.Exists("/run/netns/" + name), "namespace " + name + " is left");
            Assert.False(Directory.Exists("/etc/netns/" + name), "/etc/netns/" + name + " is left");
        }

        foreach (string iface in interfaces)
        {
            Assert.False(SandboxLeftovers.Left(names, iface, () => File.Exists("/run/egress-gateway-vmm/" + iface)), "claim of " + iface + " is left");
            Assert.False(SandboxLeftovers.Left(names, iface, () => File.Exists("/run/egress-gateway-vmm/ca/" + iface + ".pem")), "CA bundle of " + iface + " is left");
        }
    }

    private Task<ToolResult> VmmAsync(params string[] args) =>
        Tool.RunAsync("ip", ["netns", "exec", _namespace, VmmProcess.Dotnet, Path.Combine(AppContext.BaseDirectory, "vmm.dll"), "--state-dir", host.StateDir, .. args],
            new Dictionary<string, string?> { ["GATEWAY_STATE_DIR"] = null, ["DOTNET_NOLOGO"] = "1" });

    private Task<ToolResult> Inside(params string[] args) => Tool.RunAsync("ip", ["netns", "exec", _namespace, .. args]);
}
