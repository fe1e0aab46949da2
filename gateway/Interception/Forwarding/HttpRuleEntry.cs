using PolicyCompiler.Kits;

namespace Gateway.Interception.Forwarding;

/// <summary>One <c>network.rules</c> entry with where it came from, so a refusal can name it.</summary>
/// <param name="Kit">The kit that declares it.</param>
/// <param name="Index">Its position in the kit's list.</param>
/// <param name="Rule">The rule.</param>
internal sealed record HttpRuleEntry(string Kit, int Index, KitHttpRule Rule)
{
    /// <summary>The rule as operators find it in the kit: "kit:NAME/rules[2]".</summary>
    public string Id { get; } = $"kit:{Kit}/rules[{Index}]";

    /// <summary>The rule's source as the audit log names sources: "kit:NAME".</summary>
    public string Source { get; } = "kit:" + Kit;
}
