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
        // class's create may take the same interface and addresses at any moment, also between two of
        // these checks. What that sandbox made is not a leftover, so each check asks on its own.
        if (iface is not null)
        {
            string[] own = [name];
            string link = iface;
            Assert.False(Left(own, link, () => Directory.Exists("/sys/class/net/" + link)), "link " + iface + " is left");
            Assert.False(Left(own, link, () => File.Exists("/run/egress-gateway-vmm/" + link)), "claim of " + iface + " is left");
            ToolResult table = await Tool.RunAsync("nft", ["list", "table", "inet", "egress_gateway"]);
            bool inTable = table.Stdout.Contains(iface + "_", StringComparison.Ordinal) || table.Stdout.Contains("\"" + iface + "\"", StringComparison.Ordinal);
            Assert.False(Left(own, link, () => inTable), "nftables rules of " + iface + " are left:\n" + table.Stdout);
            if (gatewayAddress is not null)
            {
                ToolResult addresses = (await Tool.RunAsync("ip", ["-o", "-4", "addr", "show"])).AssertSuccess();
                bool addressed = addresses.Stdout.Contains(" " + gatewayAddress + "/", StringComparison.Ordinal);
                Assert.False(Left(own, link, () => addressed), "address " + gatewayAddress + " is left");
            }
        }

        var registered = await host.GatewayAsync("sandbox", "ls", "--json");
        Assert.True(registered.ExitCode == 0, registered.ToString());
        Assert.DoesNotContain(registered.Json().EnumerateArray(), row => row.GetProperty("name").GetString() == name);
    }

    // A create writes its claim before it makes anything else and rm deletes the claim after
    // everything else, so whatever another sandbox made on this block is covered by its claim. Reading
    // the claim on both sides of a check misses that owner only if a whole foreign sandbox lived and
    // died in between.
    /// <summary>Whether <paramref name="present"/> finds something on <paramref name="iface"/>'s block that no claim of a sandbox outside <paramref name="names"/> covers.</summary>
    internal static bool Left(string[] names, string iface, Func<bool> present)
    {
        string? before = ClaimOwner(iface);
        if (!present())
        {
            return false;
        }

        string? after = ClaimOwner(iface);
        return !IsForeign(names, before) && !IsForeign(names, after);
    }

    /// <summary>Whether <paramref name="iface"/> exists now because another sandbox claimed its block after <paramref name="name"/> let it go.</summary>
    internal static bool TakenByAnother(string name, string iface) =>
        Directory.Exists("/sys/class/net/" + iface) && !Left([name], iface, () => Directory.Exists("/sys/class/net/" + iface));

    // A claim names the owner's record; names are unique per run.
    private static bool IsForeign(string[] names, string? claim) =>
        claim is not null && Array.IndexOf(names, Path.GetFileNameWithoutExtension(claim)) < 0;

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
