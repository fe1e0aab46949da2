using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vmm.Tests;

/// <summary>Issue 9 items 1, 5, 6: create, rm, rollback, gc, concurrency and registration across a gateway restart.</summary>
public sealed class SandboxLifecycleTests(SandboxHost host) : IClassFixture<SandboxHost>
{
    [RootNetworkFact]
    public async Task Rm_LeavesNoNamespaceLinkChainAddressOrRegistration_AndRunsTwice()
    {
        string name = host.Name("rm");
        JsonElement row = await host.CreateAsync(name);
        string iface = row.GetProperty("interface").GetString()!;
        Assert.True(await SandboxLeftovers.IsRegisteredAsync(host, name));
        Assert.True(File.Exists("/run/netns/" + name));

        ToolResult first = (await host.VmmAsync("rm", name)).AssertSuccess();
        ToolResult second = (await host.VmmAsync("rm", name)).AssertSuccess();

        Assert.Equal($"removed sandbox {name}\n", first.Stdout);
        Assert.Equal($"no sandbox {name}; nothing to remove\n", second.Stdout);
        await SandboxLeftovers.AssertNoneAsync(host, name, iface, row.GetProperty("gateway").GetString());
    }

    [RootNetworkFact]
    public async Task Rm_StopsWhatRunsInsideTheSandbox()
    {
        string name = host.Name("busy");
        await host.CreateAsync(name);
        Task<ToolResult> sleeping = host.ExecAsync(name, "sleep", "300");
        for (int attempt = 0; attempt < 100 && (await Tool.RunAsync("ip", ["netns", "pids", name])).Stdout.Trim().Length == 0; attempt++)
        {
            await Task.Delay(100);
        }

        (await host.VmmAsync("rm", name)).AssertSuccess();

        ToolResult ended = await sleeping.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, ended.ExitCode);
        Assert.False(File.Exists("/run/netns/" + name));
    }

    [RootNetworkFact]
    public async Task Create_WithANameThatExists_FailsAndKeepsTheFirst()
    {
        string name = host.Name("twice");
        await host.CreateAsync(name);

        ToolResult again = await host.VmmAsync("create", name);

        Assert.Equal(1, again.ExitCode);
        Assert.Equal($"vmm: sandbox \"{name}\" exists already (in {host.StateDir}); remove it with `vmm rm {name}` or pick another name\n", again.Stderr);
        Assert.Equal("running", (await host.RowAsync(name))!.Value.GetProperty("status").GetString());
    }

    [RootNetworkFact]
    public async Task FailedCreate_RollsBackEverythingItMade()
    {
        string name = host.Name("rollback");
        string kit = Path.Combine(host.Root, "unloaded", "spec.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(kit)!);
        await File.WriteAllTextAsync(kit, "schemaVersion: \"1\"\nkind: mixin\nname: not-loaded\n");
        string record = Path.Combine(host.StateDir, "vmm", "sandboxes", name + ".json");

        ToolResult create = await host.VmmAsync("create", name, "--kit", kit);

        Assert.Equal(1, create.ExitCode);
        Assert.StartsWith("vmm: the gateway refused the sandbox: kit \"not-loaded\" is not loaded", create.Stderr, StringComparison.Ordinal);
        await SandboxLeftovers.AssertNoneAsync(host, name, iface: null, gatewayAddress: null);
        string[] claims = [.. Directory.GetFiles("/run/egress-gateway-vmm", "egw*")];
        Assert.DoesNotContain(claims, claim => File.ReadAllText(claim) == record);

        // Chains exist only for claimed blocks: the failed create's chains went with its claim. Other
        // test classes create and remove sandboxes meanwhile; a create claims before it adds chains and
        // an rm drops chains before its claim, so claims listed on both sides of the table cover it.
        // No table at all is fine too: the last rm of any class deletes it.
        ToolResult table = await Tool.RunAsync("nft", ["list", "table", "inet", "egress_gateway"]);
        claims = [.. claims, .. Directory.GetFiles("/run/egress-gateway-vmm", "egw*")];
        foreach (System.Text.RegularExpressions.Match chain in System.Text.RegularExpressions.Regex.Matches(table.Stdout, @"chain (egw\d+)_in "))
        {
            Assert.Contains(claims, claim => Path.GetFileName(claim) == chain.Groups[1].Value);
        }
    }

    [RootNetworkFact]
    public async Task ConcurrentCreates_GetDistinctBlocks_AndAllWork()
    {
        string[] names = [.. Enumerable.Range(0, 4).Select(i => host.Name("many" + i))];

        ToolResult[] creates = await Task.WhenAll(names.Select(n => host.VmmAsync("create", n)));

        try
        {
            foreach (ToolResult create in creates)
            {
                create.AssertSuccess();
            }

            var addresses = new HashSet<string>();
            foreach (string name in names)
            {
                JsonElement row = (await host.RowAsync(name))!.Value;
                Assert.True(addresses.Add(row.GetProperty("address").GetString()!));
                ToolResult curl = (await host.CurlAsync(name, $"https://{SandboxHost.AllowedHost}/")).AssertSuccess();
                Assert.Equal("hello from " + SandboxHost.AllowedHost, curl.Stdout);
            }
        }
        finally
        {
            foreach (string name in names)
            {
                await host.VmmAsync("rm", name);
            }
        }
    }

    [RootNetworkFact]
    public async Task Gc_RemovesASandboxThatNoLongerRuns_AndACreateThatCrashed()
    {
        string vanished = host.Name("vanished");
        string crashed = host.Name("crashed");
        JsonElement vanishedRow = await host.CreateAsync(vanished);
        JsonElement crashedRow = await host.CreateAsync(crashed);
        (await Tool.RunAsync("ip", ["netns", "del", vanished])).AssertSuccess();

        // A create killed half-way: the namespace, link, chains and registration exist, the record says "creating" by a dead process.
        string record = Path.Combine(host.StateDir, "vmm", "sandboxes", crashed + ".json");
        JsonNode node = JsonNode.Parse(await File.ReadAllTextAsync(record))!;
        node["status"] = "Creating";
        node["creatorPid"] = await DeadPidAsync();
        await File.WriteAllTextAsync(record, node.ToJsonString());

        ToolResult gc = (await host.VmmAsync("gc")).AssertSuccess();

        Assert.Contains($"removed sandbox {vanished} (netns, {vanishedRow.GetProperty("interface").GetString()}): it no longer runs", gc.Stdout, StringComparison.Ordinal);
        Assert.Contains($"removed sandbox {crashed} (netns, {crashedRow.GetProperty("interface").GetString()}): its create crashed", gc.Stdout, StringComparison.Ordinal);
        await SandboxLeftovers.AssertNoneAsync(host, vanished, vanishedRow.GetProperty("interface").GetString(), vanishedRow.GetProperty("gateway").GetString());
        await SandboxLeftovers.AssertNoneAsync(host, crashed, crashedRow.GetProperty("interface").GetString(), crashedRow.GetProperty("gateway").GetString());
    }

    [RootNetworkFact]
    public async Task GatewayRestart_RelearnsTheRegistration()
    {
        string name = host.Name("restart");
        await host.CreateAsync(name);

        await host.RestartGatewayAsync();
        ToolResult curl = (await host.CurlAsync(name, $"https://{SandboxHost.AllowedHost}/")).AssertSuccess();

        Assert.True(await SandboxLeftovers.IsRegisteredAsync(host, name));
        Assert.Equal("hello from " + SandboxHost.AllowedHost, curl.Stdout);
    }

    [RootNetworkFact]
    public async Task Rm_WhileTheGatewayIsDown_RemovesTheNetwork_AndFinishesOnceItRuns()
    {
        string name = host.Name("gwdown");
        JsonElement row = await host.CreateAsync(name);
        string iface = row.GetProperty("interface").GetString()!;

        host.Stop();
        ToolResult down;
        try
        {
            down = await host.VmmAsync("rm", name);
        }
        finally
        {
            await host.StartGatewayAsync();
        }

        Assert.Equal(1, down.ExitCode);
        Assert.StartsWith($"vmm: removed the network of \"{name}\" but not its registration: the gateway is not running", down.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists("/run/netns/" + name));
        Assert.False(Directory.Exists("/sys/class/net/" + iface));
        Assert.True(await SandboxLeftovers.IsRegisteredAsync(host, name)); // re-learned from sandboxes.json at start
        (await host.VmmAsync("rm", name)).AssertSuccess();
        await SandboxLeftovers.AssertNoneAsync(host, name, iface, row.GetProperty("gateway").GetString());
    }

    private static async Task<int> DeadPidAsync()
    {
        using Process process = Process.Start("true")!;
        await process.WaitForExitAsync();
        return process.Id;
    }
}
