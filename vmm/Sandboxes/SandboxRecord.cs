namespace Vmm.Sandboxes;

/// <summary>
/// One sandbox as vmm persists it (<c>{stateDir}/vmm/sandboxes/NAME.json</c>, mode 0600: it may
/// hold the proxy token). Written before anything is made, with <see cref="SandboxStatus.Creating"/>,
/// so a create that crashes half-way leaves a record <c>vmm gc</c> can clean up after.
/// </summary>
/// <param name="Name">The sandbox name (also the network namespace's).</param>
/// <param name="Kind">"netns" or "microvm".</param>
/// <param name="Status">Creating, then ready.</param>
/// <param name="Block">Index of the /30 in 10.209.0.0/16.</param>
/// <param name="HostInterface">The host end of the link.</param>
/// <param name="HostAddress">The gateway's address on the link.</param>
/// <param name="SandboxAddress">The sandbox's only source address.</param>
/// <param name="Kits">Kit names registered with the gateway.</param>
/// <param name="KitFiles">The kit files as given to <c>create</c>.</param>
/// <param name="Token">The proxy token, or null.</param>
/// <param name="Environment">What <c>vmm exec</c> adds to the environment.</param>
/// <param name="KindState">Kind-specific facts (for example a QEMU process id).</param>
/// <param name="CreatorPid">The process that is creating the sandbox, while <see cref="SandboxStatus.Creating"/>.</param>
/// <param name="Created">When the create started (UTC).</param>
/// <param name="Workdir">The host directory mounted read-write at the same path inside (<c>--workdir</c>), or null.</param>
/// <param name="Ports">The gateway's ports the chains and proxy variables were last made for; <c>vmm exec</c> follows changes.</param>
/// <param name="Confidential">What is hidden from the sandbox's processes, as last learnt (used when the gateway is down).</param>
internal sealed record SandboxRecord(
    string Name,
    string Kind,
    SandboxStatus Status,
    int Block,
    string HostInterface,
    string HostAddress,
    string SandboxAddress,
    IReadOnlyList<string> Kits,
    IReadOnlyList<string> KitFiles,
    string? Token,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyDictionary<string, string> KindState,
    int CreatorPid,
    DateTimeOffset Created,
    string? Workdir = null,
    GatewayPorts? Ports = null,
    IReadOnlyList<string>? Confidential = null);
