using System.Globalization;
using Vmm.Admin;
using Vmm.Cli;
using Vmm.Network;

namespace Vmm.Sandboxes;

/// <summary><c>vmm rm</c> and <c>vmm gc</c>: removal that may run any number of times, after any crash.</summary>
internal sealed partial class SandboxManager
{
    /// <summary>Removes a sandbox and everything made for it; false when there is no such sandbox.</summary>
    public async Task<bool> RemoveAsync(string name, CancellationToken cancellation)
    {
        SandboxRecord? record = store.Read(name);
        if (record is null)
        {
            return false;
        }

        if (record.Status == SandboxStatus.Creating && IsProcessAlive(record.CreatorPid) && record.CreatorPid != Environment.ProcessId)
        {
            throw new VmmException($"sandbox \"{name}\" is being created by process {record.CreatorPid}; wait for it, or stop it and run `vmm gc`");
        }

        await TearDownAsync(record, cancellation).ConfigureAwait(false);
        return true;
    }

    /// <summary>Removes the leftovers of crashed sandboxes and creates; returns a line per thing removed.</summary>
    public async Task<List<string>> CollectGarbageAsync(CancellationToken cancellation)
    {
        var removed = new List<string>();
        foreach (SandboxRecord record in store.All())
        {
            bool crashedCreate = record.Status == SandboxStatus.Creating && !IsProcessAlive(record.CreatorPid);
            bool dead = record.Status == SandboxStatus.Ready && SandboxKinds.Find(record.Kind) is { } kind && !kind.IsAlive(record);
            if (crashedCreate || dead)
            {
                await TearDownAsync(record, cancellation).ConfigureAwait(false);
                removed.Add($"sandbox {Describe(record)}: {(crashedCreate ? "its create crashed" : "it no longer runs")}");
            }
        }

        // Host-wide leftovers whose record is gone: claims, then chains and links no claim covers.
        foreach (AddressBlock block in BlockClaims.Stale())
        {
            await RemoveNetworkAsync(block.InterfaceName, cancellation).ConfigureAwait(false);
            BlockClaims.Release(block);
            removed.Add($"claim of {block.InterfaceName} (its sandbox record is gone)");
        }

        var orphans = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string chain in await NftRuleset.ListChainsAsync(cancellation).ConfigureAwait(false))
        {
            int underscore = chain.IndexOf('_', StringComparison.Ordinal);
            if (underscore > 0 && AddressBlock.TryParseInterface(chain[..underscore], out AddressBlock block) && !BlockClaims.IsClaimed(block))
            {
                orphans.Add(block.InterfaceName);
            }
        }

        foreach (string hostInterface in orphans)
        {
            await RemoveNetworkAsync(hostInterface, cancellation).ConfigureAwait(false);
            removed.Add($"nftables chains and link {hostInterface} (no sandbox claims them)");
        }

        using (FileStream hostLock = await HostLock.AcquireAsync(cancellation).ConfigureAwait(false))
        {
            if (await NftRuleset.DeleteTableIfUnusedAsync(cancellation).ConfigureAwait(false))
            {
                removed.Add($"nftables table inet {NftRuleset.Table} (no sandbox uses it)");
            }
        }

        return removed;
    }

    private async Task TearDownAsync(SandboxRecord record, CancellationToken cancellation)
    {
        if (SandboxKinds.Find(record.Kind) is { } kind)
        {
            await kind.RemoveAsync(record, cancellation).ConfigureAwait(false);
        }
        else
        {
            notes.WriteLine($"vmm: note: this build has no {record.Kind} kind; removing only the network parts of \"{record.Name}\"");
        }

        if (record.Block >= 0)
        {
            await RemoveNetworkAsync(record.HostInterface, cancellation).ConfigureAwait(false);
        }

        try
        {
            await admin.UnregisterAsync(record.Name, cancellation).ConfigureAwait(false);
        }
        catch (GatewayNotRunningException e)
        {
            // The registration must go too, or the gateway would still hand this address to this
            // name after its next start; the record stays so that a later rm or gc finishes.
            throw new VmmException($"removed the network of \"{record.Name}\" but not its registration: {e.Message}; then run `vmm rm {record.Name}` again");
        }

        if (record.Block >= 0)
        {
            BlockClaims.ReleaseIfOwned(new AddressBlock(record.Block), store.RecordPath(record.Name));
        }

        store.Delete(record.Name);
    }

    private static async Task RemoveNetworkAsync(string hostInterface, CancellationToken cancellation)
    {
        await HostLinks.DeleteAsync(hostInterface).ConfigureAwait(false);
        await NftRuleset.RemoveAsync(hostInterface, cancellation).ConfigureAwait(false);
        CaBundle.Delete(hostInterface);
    }

    private static bool IsProcessAlive(int pid) =>
        pid > 0 && Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture));
}
