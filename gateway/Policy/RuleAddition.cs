namespace Gateway.Policy;

/// <summary>What an added rule did: the CLI prints it the same whether the daemon or the CLI applied it.</summary>
/// <param name="Decision">"allow" or "deny".</param>
/// <param name="Sandbox">The scope asked for, or null for every sandbox.</param>
/// <param name="Added">The new local rule, or null when a live rule of that decision and scope had every pattern already.</param>
/// <param name="AlreadyPresent">Patterns left out because a live local rule that lasts as long has them.</param>
/// <param name="Warnings">Allowed patterns a deny rule keeps blocked, each naming the deny and how to remove it.</param>
internal sealed record RuleAddition(
    string Decision, string? Sandbox, StoredRule? Added, IReadOnlyList<string> AlreadyPresent, IReadOnlyList<string> Warnings);
