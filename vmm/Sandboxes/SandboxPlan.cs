using Vmm.Network;

using System.Net;

namespace Vmm.Sandboxes;

/// <summary>Everything decided before a sandbox is made: its block, names, addresses, the gateway's ports and the environment of what runs inside.</summary>
internal sealed class SandboxPlan
{
    /// <summary>The sandbox (and network namespace) name: lowercase letters, digits and '-'.</summary>
    public required string Name { get; init; }

    /// <summary>The kind's <see cref="ISandboxKind.Name"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>The /30 the sandbox owns.</summary>
    public required AddressBlock Block { get; init; }

    /// <summary>The host end of the link: a veth end for netns, a tap device for microvm (at most 15 characters).</summary>
    public string HostInterface => Block.InterfaceName;

    /// <summary>The gateway's address on this sandbox's link (first host of the /30).</summary>
    public IPAddress HostAddress => Block.HostAddress;

    /// <summary>The sandbox's only source address (second host of the /30).</summary>
    public IPAddress SandboxAddress => Block.SandboxAddress;

    /// <summary>The prefix length of the link, 30.</summary>
    public int PrefixLength => AddressBlock.PrefixLength;

    /// <summary>The gateway's listeners as the sandbox reaches them.</summary>
    public required GatewayPorts Ports { get; init; }

    /// <summary>Names of the kits the sandbox runs with.</summary>
    public required IReadOnlyList<string> Kits { get; init; }

    /// <summary>Variables every process in the sandbox gets: proxy settings, kit variables and credential placeholders.</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    /// <summary>The directory for this sandbox's own files (<c>{stateDir}/vmm/NAME</c>), created before <see cref="ISandboxKind.CreateAsync"/>.</summary>
    public required string Directory { get; init; }

    /// <summary>The sandbox's CA bundle on the host (system roots and the gateway CA).</summary>
    public required string CaBundle { get; init; }

    /// <summary>The gateway CA's certificate (PEM), or null when the gateway has none yet: a kind with its own trust store adds it there.</summary>
    public string? GatewayCa { get; init; }

    /// <summary>Kind-specific facts kept in the record for exec and rm (for example a QEMU process id).</summary>
    public Dictionary<string, string> KindState { get; } = new(StringComparer.Ordinal);
}
