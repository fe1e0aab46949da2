using System.Collections.Frozen;
using System.Net;
using Gateway.Configuration;
using PolicyCompiler.Compilation;

namespace Gateway.Sandboxes;

/// <summary>
/// Maps a client's source address to its sandbox. Static sandboxes come from the config;
/// an unregistered loopback client is the sandbox "host"; any other unregistered address
/// belongs to no sandbox and is refused (fail closed: an unknown network cannot borrow a policy).
/// </summary>
internal sealed class SandboxDirectory
{
    private readonly FrozenDictionary<IPAddress, Sandbox> _byAddress;

    public SandboxDirectory(IEnumerable<SandboxConfig> sandboxes)
    {
        var map = new Dictionary<IPAddress, Sandbox>();
        foreach (SandboxConfig config in sandboxes)
        {
            var sandbox = new Sandbox(config.Name, config.Kits);
            foreach (IPAddress address in config.Addresses)
            {
                map[Normalize(address)] = sandbox;
            }
        }

        _byAddress = map.ToFrozenDictionary();
    }

    /// <summary>The sandbox a connection from <paramref name="address"/> belongs to, or null.</summary>
    public Sandbox? Identify(IPAddress? address)
    {
        if (address is null)
        {
            return null;
        }

        address = Normalize(address);
        if (_byAddress.TryGetValue(address, out Sandbox? sandbox))
        {
            return sandbox;
        }

        return IPAddress.IsLoopback(address) ? Sandbox.Host : null;
    }

    /// <summary>The sandbox's kits as indices of <paramref name="snapshot"/>; kits the snapshot lacks give no rules.</summary>
    public static KitSet KitsOf(Sandbox sandbox, PolicySnapshot snapshot)
    {
        KitSet kits = KitSet.None;
        foreach (string kit in sandbox.Kits)
        {
            if (snapshot.TryGetKitIndex(kit, out int index))
            {
                kits = kits.With(index);
            }
        }

        return kits;
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
