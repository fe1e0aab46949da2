using PolicyCompiler.Rules;

namespace PolicyCompiler.Compilation;

/// <summary>The network rules of one kit, applied only to sandboxes started with it.</summary>
/// <param name="Name">The kit name.</param>
/// <param name="Rules">Its rules (source <c>kit:NAME</c>).</param>
public sealed record KitRules(string Name, IReadOnlyList<PolicyRule> Rules)
{
    /// <summary>The kit's SOCKS5 proxy (<c>network.proxy</c>), or null.</summary>
    public Kits.KitProxy? Proxy { get; init; }
}
