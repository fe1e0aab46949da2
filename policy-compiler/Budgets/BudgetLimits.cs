namespace PolicyCompiler.Budgets;

/// <summary>
/// What one sandbox may use (<c>sandboxes[].budgets</c> in the config, <c>network.budgets</c> in a
/// kit); null means no bound. Where several apply (the config's and each kit's), the tighter value
/// of each wins (<see cref="Tighten"/>), so a kit can only narrow what the operator granted.
/// </summary>
/// <param name="Connections">Client connections open at once.</param>
/// <param name="ConnectionsPerSecond">New client connections per second.</param>
/// <param name="RequestsPerSecond">HTTP requests per second on the paths the gateway reads (absolute-form, transparent HTTP, intercepted).</param>
/// <param name="UploadBytesPerHour">Request body bytes per hour on those paths.</param>
public sealed record BudgetLimits(int? Connections, int? ConnectionsPerSecond, int? RequestsPerSecond, long? UploadBytesPerHour)
{
    /// <summary>No bound at all.</summary>
    public static BudgetLimits None { get; } = new(null, null, null, null);

    /// <summary>True when no budget is set.</summary>
    public bool IsNone => Connections is null && ConnectionsPerSecond is null && RequestsPerSecond is null && UploadBytesPerHour is null;

    /// <summary>Each budget at the smaller of the two values (an unset one does not loosen the other).</summary>
    public BudgetLimits Tighten(BudgetLimits? other) => other is null || other.IsNone
        ? this
        : new BudgetLimits(
            Min(Connections, other.Connections),
            Min(ConnectionsPerSecond, other.ConnectionsPerSecond),
            Min(RequestsPerSecond, other.RequestsPerSecond),
            Min(UploadBytesPerHour, other.UploadBytesPerHour));

    private static int? Min(int? a, int? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    private static long? Min(long? a, long? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);
}
