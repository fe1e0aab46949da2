using Gateway.Sandboxes;
using Prometheus;

namespace Gateway.Metrics;

/// <summary><c>gateway_budget_exceeded_total{budget}</c>: connections and requests refused by a sandbox's budget.</summary>
internal sealed partial class GatewayMetrics
{
    private Counter.Child[] _budgetExceeded = [];

    /// <summary>One connection or request refused because its sandbox used up <paramref name="kind"/>.</summary>
    public void RecordBudgetExceeded(BudgetKind kind)
    {
        if (kind != BudgetKind.None)
        {
            _budgetExceeded[(int)kind - 1].Inc();
        }
    }

    // Label values are the budgets' config keys: a closed set, resolved once. BudgetKind.None has no child (index = kind - 1).
    private static Counter.Child[] CreateBudgetExceeded(IMetricFactory factory)
    {
        Counter counter = factory.CreateCounter(
            "gateway_budget_exceeded_total",
            "Connections and requests refused because a sandbox used up a budget (sandboxes[].budgets, network.budgets), by budget.",
            ["budget"]);
        var children = new Counter.Child[BudgetNames.Keys.Length - 1];
        for (int kind = 1; kind < BudgetNames.Keys.Length; kind++)
        {
            children[kind - 1] = counter.WithLabels(BudgetNames.Keys[kind]);
        }

        return children;
    }
}
