using System.Globalization;
using Vmm.Sandboxes;

namespace Vmm.Network;

/// <summary>The host end of a sandbox's link: made, addressed and removed with iproute2.</summary>
internal static class HostLinks
{
    /// <summary>
    /// Makes the tap device <see cref="SandboxPlan.HostInterface"/> for a VM, with the host end's
    /// address, up; its undo is pushed onto <paramref name="rollback"/>.
    /// </summary>
    public static async Task CreateTapAsync(SandboxPlan plan, Rollback rollback, CancellationToken cancellation)
    {
        await HostCommand.RunAsync("ip", ["tuntap", "add", "dev", plan.HostInterface, "mode", "tap"], cancellation: cancellation).ConfigureAwait(false);
        rollback.Push("tap " + plan.HostInterface, () => DeleteAsync(plan.HostInterface));
        await AddressAsync(plan, cancellation).ConfigureAwait(false);
    }

    /// <summary>Gives the host interface the host end's address and brings it up.</summary>
    public static async Task AddressAsync(SandboxPlan plan, CancellationToken cancellation)
    {
        string cidr = plan.HostAddress + "/" + plan.PrefixLength.ToString(CultureInfo.InvariantCulture);
        await HostCommand.RunAsync("ip", ["addr", "add", cidr, "dev", plan.HostInterface], cancellation: cancellation).ConfigureAwait(false);
        await HostCommand.RunAsync("ip", ["link", "set", plan.HostInterface, "up"], cancellation: cancellation).ConfigureAwait(false);
    }

    /// <summary>True when an interface of that name exists in the host's namespace.</summary>
    public static bool Exists(string name) => Directory.Exists(Path.Combine("/sys/class/net", name));

    /// <summary>Deletes a link (a veth pair goes with either end); nothing to do when it is gone.</summary>
    public static async Task DeleteAsync(string name)
    {
        if (!Exists(name))
        {
            return;
        }

        (int exit, _, string stderr) = await HostCommand.TryRunAsync("ip", ["link", "del", name]).ConfigureAwait(false);
        if (exit != 0 && Exists(name))
        {
            throw new HostCommandException($"`ip link del {name}` failed: {stderr.Trim()}");
        }
    }

    /// <summary>Every IPv4 address on any host interface, so a block another state directory uses is never handed out twice.</summary>
    public static async Task<HashSet<string>> AddressesInUseAsync(CancellationToken cancellation)
    {
        string output = await HostCommand.RunAsync("ip", ["-o", "-4", "addr", "show"], cancellation: cancellation).ConfigureAwait(false);
        var addresses = new HashSet<string>(StringComparer.Ordinal);
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "3: eth0    inet 10.209.0.1/30 brd ... scope global eth0"
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int inet = Array.IndexOf(fields, "inet");
            if (inet >= 0 && inet + 1 < fields.Length)
            {
                string cidr = fields[inet + 1];
                int slash = cidr.IndexOf('/', StringComparison.Ordinal);
                addresses.Add(slash < 0 ? cidr : cidr[..slash]);
            }
        }

        return addresses;
    }
}
