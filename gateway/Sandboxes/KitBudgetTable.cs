using System.Collections.Frozen;
using System.Collections.Immutable;
using PolicyCompiler.Budgets;
using PolicyCompiler.Kits;

namespace Gateway.Sandboxes;

/// <summary>The kits' <c>network.budgets</c> by kit name, built with each policy generation so a kit reload brings its budgets along.</summary>
internal sealed class KitBudgetTable
{
    private readonly FrozenDictionary<string, BudgetLimits> _byKit;

    private KitBudgetTable(FrozenDictionary<string, BudgetLimits> byKit) => _byKit = byKit;

    /// <summary>No kit declares budgets.</summary>
    public static KitBudgetTable Empty { get; } = new(FrozenDictionary<string, BudgetLimits>.Empty);

    /// <summary>The table of <paramref name="kits"/>.</summary>
    public static KitBudgetTable Build(IEnumerable<KitSpec> kits)
    {
        var byKit = new Dictionary<string, BudgetLimits>(StringComparer.Ordinal);
        foreach (KitSpec kit in kits)
        {
            if (kit.Network.Budgets is { } budgets)
            {
                byKit[kit.Name] = budgets;
            }
        }

        return byKit.Count == 0 ? Empty : new KitBudgetTable(byKit.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary><paramref name="own"/> tightened by every budget of <paramref name="kits"/> (the tighter wins, key by key).</summary>
    public BudgetLimits Tighten(BudgetLimits own, ImmutableArray<string> kits)
    {
        BudgetLimits limits = own;
        foreach (string kit in kits)
        {
            if (_byKit.TryGetValue(kit, out BudgetLimits? budgets))
            {
                limits = limits.Tighten(budgets);
            }
        }

        return limits;
    }
}
