namespace Vmm.Network;

/// <summary>
/// Hands out /30 blocks host-wide. Interfaces, addresses and nftables chains belong to the host,
/// not to one state directory, so two gateways' vmm (or two test runs) must never pick the same
/// block: a claim is a file in <c>/run/egress-gateway-vmm</c> naming the sandbox record that owns
/// it, made under a host-wide lock, and a block is free only when it has no live claim, no
/// interface and none of its addresses is on any interface. <c>/run</c> is emptied at boot,
/// exactly when the interfaces it guards disappear.
/// </summary>
internal static class BlockClaims
{
    /// <summary>Where claims live.</summary>
    public const string Directory = "/run/egress-gateway-vmm";

    /// <summary>Claims the lowest free block for the record at <paramref name="owner"/>.</summary>
    public static async Task<AddressBlock> ClaimAsync(string owner, CancellationToken cancellation)
    {
        System.IO.Directory.CreateDirectory(Directory);
        using FileStream hostLock = await HostLock.AcquireAsync(cancellation).ConfigureAwait(false);
        HashSet<string> addresses = await HostLinks.AddressesInUseAsync(cancellation).ConfigureAwait(false);
        for (int index = 0; index < AddressBlock.Count; index++)
        {
            var block = new AddressBlock(index);
            if (IsClaimed(block)
                || HostLinks.Exists(block.InterfaceName)
                || addresses.Contains(block.HostAddress.ToString())
                || addresses.Contains(block.SandboxAddress.ToString()))
            {
                continue;
            }

            File.WriteAllText(ClaimPath(block), owner);
            return block;
        }

        throw new InvalidOperationException($"every /30 of 10.209.0.0/16 is in use ({AddressBlock.Count} sandboxes); remove some, or run `vmm gc`");
    }

    /// <summary>Gives a block back; nothing to do when it is not claimed.</summary>
    public static void Release(AddressBlock block) => File.Delete(ClaimPath(block));

    /// <summary>Gives a block back if <paramref name="owner"/> holds it.</summary>
    public static void ReleaseIfOwned(AddressBlock block, string owner)
    {
        string path = ClaimPath(block);
        try
        {
            if (File.ReadAllText(path).Trim() == owner)
            {
                File.Delete(path);
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
        }
    }

    /// <summary>True when the block's claim names a record that still exists.</summary>
    public static bool IsClaimed(AddressBlock block)
    {
        string path = ClaimPath(block);
        if (!File.Exists(path))
        {
            return false;
        }

        try
        {
            return File.Exists(File.ReadAllText(path).Trim());
        }
        catch (FileNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Claims whose owner record is gone: what a crashed or killed vmm left.</summary>
    public static List<AddressBlock> Stale()
    {
        var stale = new List<AddressBlock>();
        if (!System.IO.Directory.Exists(Directory))
        {
            return stale;
        }

        foreach (string file in System.IO.Directory.GetFiles(Directory, AddressBlock.InterfacePrefix + "*"))
        {
            if (AddressBlock.TryParseInterface(Path.GetFileName(file), out AddressBlock block) && !IsClaimed(block))
            {
                stale.Add(block);
            }
        }

        return stale;
    }

    private static string ClaimPath(AddressBlock block) => Path.Combine(Directory, block.InterfaceName);
}
