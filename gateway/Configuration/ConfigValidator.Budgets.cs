using PolicyCompiler.Budgets;
using PolicyCompiler.Yaml;

namespace Gateway.Configuration;

/// <summary><c>sandboxes[].budgets</c>: the same keys and values as a kit's <c>network.budgets</c> (<see cref="BudgetSyntax"/>).</summary>
internal sealed partial class ConfigValidator
{
    private static readonly string[] s_budgetKeys = [.. BudgetSyntax.Keys];

    private BudgetLimits ReadBudgets(ConfigNode? node, string path)
    {
        ConfigSection section = Open(node, path, s_budgetKeys);
        return new BudgetLimits(
            ReadBudgetCount(section, "connections"),
            ReadBudgetCount(section, "connectionsPerSecond"),
            ReadBudgetCount(section, "requestsPerSecond"),
            ReadBudgetBytes(section, "uploadBytesPerHour"));
    }

    private int? ReadBudgetCount(ConfigSection section, string key)
    {
        if (section.Get(key) is not { } node || !TryText(node, section.PathOf(key), out string text))
        {
            return null;
        }

        int? value = BudgetSyntax.ParseCount(key, text, out string? error);
        if (error is not null)
        {
            Report(node, section.PathOf(key), error);
        }

        return value;
    }

    private long? ReadBudgetBytes(ConfigSection section, string key)
    {
        if (section.Get(key) is not { } node || !TryText(node, section.PathOf(key), out string text))
        {
            return null;
        }

        long? value = BudgetSyntax.ParseBytes(key, text, out string? error);
        if (error is not null)
        {
            Report(node, section.PathOf(key), error);
        }

        return value;
    }
}
