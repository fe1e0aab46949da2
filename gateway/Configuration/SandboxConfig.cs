using System.Collections.Immutable;
using System.Net;
using System.Text;
using PolicyCompiler.Budgets;

namespace Gateway.Configuration;

/// <summary>A sandbox known from the configuration.</summary>
/// <param name="Name">Unique name, <c>[a-z0-9][a-z0-9-]*</c>.</param>
/// <param name="Addresses">Source addresses that identify it (IPv4-mapped IPv6 folded to IPv4).</param>
/// <param name="Kits">Names of the kits whose rules apply to it.</param>
/// <param name="Token">Proxy token expected in <c>Proxy-Authorization: Basic</c>, or null for none.</param>
internal sealed record SandboxConfig(
    string Name, ImmutableArray<IPAddress> Addresses, ImmutableArray<string> Kits, string? Token)
{
    /// <summary><c>budgets</c>: what the sandbox may use; tightened further by its kits' <c>network.budgets</c>.</summary>
    public BudgetLimits Budgets { get; init; } = BudgetLimits.None;

    // Records print every member; a config logged at start-up must not carry the token.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Name = ").Append(Name)
            .Append(", Addresses = [").AppendJoin(", ", Addresses).Append(']')
            .Append(", Kits = [").AppendJoin(", ", Kits).Append(']')
            .Append(", Token = ").Append(Token is null ? "null" : "***")
            .Append(", Budgets = ").Append(Budgets);
        return true;
    }
}
