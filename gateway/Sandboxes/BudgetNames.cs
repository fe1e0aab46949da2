namespace Gateway.Sandboxes;

/// <summary>The names of <see cref="BudgetKind"/> as config keys, metric labels and audit reasons, made once.</summary>
internal static class BudgetNames
{
    /// <summary>The config and kit key of each budget, by <see cref="BudgetKind"/> (index 0 unused); also the <c>budget</c> label.</summary>
    public static readonly string[] Keys = ["none", "connections", "connectionsPerSecond", "requestsPerSecond", "uploadBytesPerHour"];

    /// <summary>The audit reason of each budget, <c>budget:&lt;name&gt;</c>, by <see cref="BudgetKind"/>.</summary>
    public static readonly string[] Reasons = ["none", "budget:connections", "budget:connectionsPerSecond", "budget:requestsPerSecond", "budget:uploadBytesPerHour"];

    /// <summary>The <c>budget:&lt;name&gt;</c> audit reason of <paramref name="kind"/>.</summary>
    public static string Reason(BudgetKind kind) => Reasons[(int)kind];

    /// <summary>What a refused client reads: which budget, whose, and what to do about it.</summary>
    public static string Message(BudgetKind kind, string sandbox) => kind switch
    {
        BudgetKind.Connections => $"Refused by the egress gateway: sandbox \"{sandbox}\" has as many connections open as its budget allows (budgets.connections); close some and retry.\n",
        BudgetKind.ConnectionsPerSecond => $"Refused by the egress gateway: sandbox \"{sandbox}\" opens connections faster than its budget allows (budgets.connectionsPerSecond); retry in a second.\n",
        BudgetKind.RequestsPerSecond => $"Refused by the egress gateway: sandbox \"{sandbox}\" sends requests faster than its budget allows (budgets.requestsPerSecond); retry in a second.\n",
        _ => $"Refused by the egress gateway: sandbox \"{sandbox}\" has uploaded as many bytes this hour as its budget allows (budgets.uploadBytesPerHour).\n",
    };
}
