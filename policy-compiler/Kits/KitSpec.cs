using PolicyCompiler.Compilation;
using PolicyCompiler.Rules;

namespace PolicyCompiler.Kits;

/// <summary>
/// What the gateway needs from a kit's spec.yaml (schemaVersion "1"): its identity, network rules,
/// credential sources and proxy-managed variables. Sections that only the VM manager uses are
/// validated as present but not kept. Created by <see cref="KitParser"/>, so every instance is valid.
/// </summary>
/// <param name="Name">The unique kit name: lowercase letters, digits and hyphens.</param>
/// <param name="DisplayName">A human-readable name, or null.</param>
/// <param name="Description">A short description, or null.</param>
/// <param name="Kind">Mixin or sandbox.</param>
/// <param name="FilePath">The file the kit was read from, for messages.</param>
/// <param name="Network">The network section (empty when absent).</param>
/// <param name="Credentials">The credentials section (empty when absent).</param>
/// <param name="Environment">The environment section (empty when absent).</param>
public sealed record KitSpec(
    string Name,
    string? DisplayName,
    string? Description,
    KitKind Kind,
    string FilePath,
    KitNetwork Network,
    KitCredentials Credentials,
    KitEnvironment Environment)
{
    /// <summary>
    /// The kit's network rules for <see cref="SnapshotCompiler.Compile"/>: "kit:NAME/allow" with
    /// <see cref="KitNetwork.AllowedDomains"/> and "kit:NAME/deny" with <see cref="KitNetwork.DeniedDomains"/>,
    /// each left out when it would be empty, and the kit's <see cref="KitNetwork.Proxy"/>.
    /// </summary>
    public KitRules ToRules()
    {
        var source = RuleSource.Kit(Name);
        var rules = new List<PolicyRule>(2);
        if (!Network.AllowedDomains.IsEmpty)
        {
            rules.Add(new PolicyRule(source.Display + "/allow", RuleDecision.Allow, Network.AllowedDomains, source));
        }

        if (!Network.DeniedDomains.IsEmpty)
        {
            rules.Add(new PolicyRule(source.Display + "/deny", RuleDecision.Deny, Network.DeniedDomains, source));
        }

        return new KitRules(Name, rules) { Proxy = Network.Proxy };
    }
}
