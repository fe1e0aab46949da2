using Gateway.Interception;
using PolicyCompiler.Compilation;

namespace Gateway.Policy;

/// <summary>
/// One compiled policy: the decision snapshot and the interception table built from the same
/// stored rules and kits, swapped as one reference so a connection never pairs a decision with
/// another generation's interception (a credential bound by a kit that was just removed).
/// </summary>
/// <param name="Snapshot">What connections are decided against.</param>
/// <param name="Interception">Which allowed connections are terminated for injection or L7 rules.</param>
internal sealed record PolicyGeneration(PolicySnapshot Snapshot, InterceptionTable Interception)
{
    /// <summary>Each kit's <c>network.budgets</c>, from the same kits as the snapshot.</summary>
    public Sandboxes.KitBudgetTable KitBudgets { get; init; } = Sandboxes.KitBudgetTable.Empty;
}
