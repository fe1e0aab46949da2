namespace Vmm.Sandboxes;

/// <summary>What <c>vmm exec</c> asks a kind to run.</summary>
/// <param name="Argv">The command and its arguments.</param>
/// <param name="Environment">The sandbox's variables (proxy, CA bundle, kits, placeholders).</param>
/// <param name="User">The value of <c>--user</c>, or null for the kind's default.</param>
/// <param name="Confidential">Host paths nothing in the sandbox may read.</param>
/// <param name="CaBundle">The sandbox's CA bundle on the host, or null when there is none.</param>
internal sealed record SandboxExec(
    IReadOnlyList<string> Argv,
    IReadOnlyDictionary<string, string> Environment,
    string? User,
    IReadOnlyList<string> Confidential,
    string? CaBundle);
