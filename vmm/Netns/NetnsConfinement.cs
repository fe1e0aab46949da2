using Vmm.Sandboxes;

namespace Vmm.Netns;

/// <summary>The one line <c>vmm create</c> prints about what a netns sandbox's processes cannot see or do, and why.</summary>
internal static class NetnsConfinement
{
    /// <summary>What is hidden (the confidential paths that exist now), who runs, and what is writable.</summary>
    public static async Task<string> DescribeAsync(SandboxRecord record, CancellationToken cancellation)
    {
        SandboxUser root = SandboxUser.Resolve("root");
        List<string> hidden = await NetnsKind.HiddenFromAsync(root, record.Confidential ?? [], cancellation).ConfigureAwait(false);
        string writable = record.Workdir is null ? "a private /tmp" : record.Workdir + " and a private /tmp";
        return $"commands run under bubblewrap as {SandboxUser.DefaultName} (`vmm exec --user` to choose), with no capabilities, "
            + $"in their own PID and mount namespaces (the gateway's process is not visible); hidden because they hold the gateway's secrets: "
            + (hidden.Count == 0 ? "nothing on this host besides /tmp and /run" : string.Join(", ", hidden) + ", /tmp, /run")
            + $"; the rest of the host is read-only, {writable} writable";
    }
}
