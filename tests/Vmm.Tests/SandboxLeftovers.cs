using System.Text.Json;

namespace Vmm.Tests;

/// <summary>What a sandbox leaves on the host: each must be gone after rm, a failed create or gc.</summary>
internal static class SandboxLeftovers
{
    /// <summary>Asserts no namespace, link, nftables chain, host address, claim, record or registration is left of the sandbox.</summary>
    public static async Task AssertNoneAsync(SandboxHost host, string name, string? iface, string? gatewayAddress)
    {
        Assert.False(File.Exists("/run/netns/" + name), "namespace " + name + " is left");
        Assert.False(Directory.Exists("/etc/netns/" + name), "/etc/netns/" + name + " is left");
        Assert.False(File.Exists(Path.Combine(host.StateDir, "vmm", "sandboxes", name + ".json")), "record of " + name + " is left");
        Assert.Null(await host.RowAsync(name));
        // Test classes run in parallel and blocks are host-wide: once rm releases the block, another
        // class's create may take the same interface and addresses. Those are not leftovers.
        if (iface is not null && TakenByAnother(name, iface))
        {
            iface = null;
            gatewayAddress = null;
        }

        if (iface is not null)
        {
            Assert.False(Directory.Exists("/sys/class/net/" + iface), "link " + iface + " is left");
            Assert.False(File.Exists("/run/egress-gateway-vmm/" + iface), "claim of " + iface + " is left");
            ToolResult table = await Tool.RunAsync("nft", ["list", "table", "inet", "egress_gateway"]);
            Assert.DoesNotContain(iface + "_", table.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("\"" + iface + "\"", table.Stdout, StringComparison.Ordinal);
        }

        if (gatewayAddress is not null)
        {
            ToolResult addresses = (await Tool.RunAsync("ip", ["-o", "-4", "addr", "show"])).AssertSuccess();
            Assert.DoesNotContain(" " + gatewayAddress + "/", addresses.Stdout, StringComparison.Ordinal);
        }

        var registered = await host.GatewayAsync("sandbox", "ls", "--json");
        Assert.True(registered.ExitCode == 0, registered.ToString());
        Assert.DoesNotContain(registered.Json().EnumerateArray(), row => row.GetProperty("name").GetString() == name);
    }

    // A create writes its claim before it makes the link and rm deletes the claim after the link,
    // so a reused link is covered by a foreign claim: reading the claim on both sides of the link
    // check sees it unless a whole foreign sandbox lived and died in between.
    /// <summary>Whether <paramref name="iface"/> exists now because another sandbox claimed its block after <paramref name="name"/> let it go.</summary>
    internal static bool TakenByAnother(string name, string iface)
    {
        string own = name + ".json"; // a claim names the owner's record; names are unique per run
        string? before = ClaimOwner(iface);
        bool linked = Directory.Exists("/sys/class/net/" + iface);
        string? after = ClaimOwner(iface);
        return linked && ((before is not null && Path.GetFileName(before) != own) || (after is not null && Path.GetFileName(after) != own));
    }

    private static string? ClaimOwner(string iface)
    {
        try
        {
            return File.ReadAllText("/run/egress-gateway-vmm/" + iface).Trim();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Whether the gateway lists the sandbox as registered.</summary>
    public static async Task<bool> IsRegisteredAsync(SandboxHost host, string name)
    {
        var registered = await host.GatewayAsync("sandbox", "ls", "--json");
        Assert.True(registered.ExitCode == 0, registered.ToString());
        foreach (JsonElement row in registered.Json().EnumerateArray())
        {
            if (row.GetProperty("name").GetString() == name)
            {
                return true;
            }
        }

        return false;
    }
}
