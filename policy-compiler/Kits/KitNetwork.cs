using System.Collections.Immutable;
using PolicyCompiler.Budgets;
using PolicyCompiler.Patterns;

namespace PolicyCompiler.Kits;

/// <summary>The <c>network</c> section of a kit.</summary>
/// <param name="AllowedDomains">Hosts sandboxes started with the kit may reach, besides what the global policy allows.</param>
/// <param name="DeniedDomains">Hosts they may not reach, whatever any allow rule says.</param>
/// <param name="ServiceDomains">Host pattern → credential source id; each pattern is also covered by <paramref name="AllowedDomains"/>.</param>
/// <param name="ServiceAuth">Credential source id → how to present it.</param>
/// <param name="Rules">Optional per-request rules on intercepted hosts.</param>
public sealed record KitNetwork(
    ImmutableArray<RulePattern> AllowedDomains,
    ImmutableArray<RulePattern> DeniedDomains,
    ImmutableDictionary<RulePattern, string> ServiceDomains,
    ImmutableDictionary<string, KitServiceAuth> ServiceAuth,
    ImmutableArray<KitHttpRule> Rules)
{
    /// <summary>A kit that declares no network section.</summary>
    public static KitNetwork Empty { get; } = new(
        [],
        [],
        ImmutableDictionary<RulePattern, string>.Empty,
        ImmutableDictionary<string, KitServiceAuth>.Empty.WithComparers(StringComparer.Ordinal),
        []);

    /// <summary>The SOCKS5 proxy the kit's allowed traffic leaves through (<c>network.proxy</c>), or null for the gateway's own route.</summary>
    public KitProxy? Proxy { get; init; }

    /// <summary>What a sandbox started with the kit may use (<c>network.budgets</c>), or null for no bound of its own.</summary>
    public BudgetLimits? Budgets { get; init; }

    /// <summary>
    /// Hosts intercepted although no credential is bound to them (<c>network.inspect</c>), so that L7 rules and
    /// DLP apply to their requests; every other host without a credential stays end-to-end encrypted.
    /// </summary>
    public ImmutableArray<RulePattern> Inspect { get; init; } = [];

    /// <summary>What a DLP hit on this kit's intercepted hosts does (<c>network.dlp</c>): refuse it (the default) or only report it.</summary>
    public KitDlpMode Dlp { get; init; } = KitDlpMode.Block;
}
