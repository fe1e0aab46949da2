using System.Threading.RateLimiting;

namespace Gateway.Sandboxes;

/// <summary>
/// What a connection got from its sandbox's connection budgets: its slot, held until disposed
/// (a <c>using</c> at the top of the entry point, so every way a connection ends gives it back),
/// or a refusal that was already answered, audited and counted.
/// </summary>
internal readonly struct BudgetLease : IDisposable
{
    private readonly RateLimitLease? _slot;

    /// <summary>A connection within its budgets, holding <paramref name="slot"/> (null: no connection budget).</summary>
    public BudgetLease(RateLimitLease? slot) => _slot = slot;

    private BudgetLease(bool refused) => Refused = refused;

    /// <summary>A connection that exceeded a budget; its refusal is done.</summary>
    public static BudgetLease Refusal { get; } = new(refused: true);

    /// <summary>True when the connection was refused and the entry point must end it.</summary>
    public bool Refused { get; }

    /// <summary>Gives the slot back.</summary>
    public void Dispose() => _slot?.Dispose();
}
